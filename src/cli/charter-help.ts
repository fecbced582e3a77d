// How `run` and `submit` find a charter a task file names, and how `serve` finds one an API request names.

/** The lookup order of a task file's named charter, for `run --help` and `submit --help`. */
export const TASK_CHARTER_LOOKUP = `A charter the task names is looked up in order, first hit wins: --charters DIR, $VP_DAEMON_CHARTERS,
<task folder>/charters, then a charters/ folder in each parent folder up to the repository root (the first
folder upward holding .git; without one, up to /).`;

/** Where `serve` looks up a charter named by a request sent to its API. */
export const SERVE_CHARTER_LOOKUP = `A request sent to the API (POST /v1/requests) that names its charter finds it in the first of: --charters DIR,
$VP_DAEMON_CHARTERS, <working folder>/charters and a charters/ folder in each parent of the request's working
folder up to its repository root, then <state>/../charters. (submit reads its task file, charter included,
where it runs: see vp-daemon submit --help.)`;
