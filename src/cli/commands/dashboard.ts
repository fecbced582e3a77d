// `vp-daemon dashboard`: the login URL of a running daemon's dashboard, opened in a browser when there is a desktop.
import { spawn } from 'node:child_process';
import { connect } from './client.js';

export const DASHBOARD_HELP = `vp-daemon dashboard [--state DIR] [--no-open]

Prints the login URL of the dashboard of the daemon running on the state folder, and opens it in a browser
when a desktop is there ($DISPLAY or $WAYLAND_DISPLAY, with xdg-open). Visiting it trades the API token for a
session cookie and moves on to the dashboard, so the token leaves the address bar. Keep the URL to yourself:
it holds the token.

Example:
  vp-daemon dashboard --no-open
`;

/** `vp-daemon dashboard`: prints (and maybe opens) the login URL. */
export async function dashboardCommand(stateDir: string, open: boolean, print: (line: string) => void): Promise<number> {
  const { url, token } = await connect(stateDir);
  const login = `${url}/?token=${encodeURIComponent(token)}`;
  print(login);
  const desktop = Boolean(process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']);
  if (open && desktop) {
    const child = spawn('xdg-open', [login], { stdio: 'ignore', detached: true });
    child.on('error', () => print('(could not run xdg-open: open the URL yourself)'));
    child.unref();
  }
  return 0;
}
