/*
 * exec-guard.c: an LD_PRELOAD shim that asks the vp-daemon before a session runs a program its charter names.
 *
 * Every public exec entry of libc is wrapped: glibc's own calls between them (execvp -> execve, system ->
 * posix_spawn) do not go through the PLT, so wrapping execve alone would miss the rest. A cheap local filter
 * runs first: only when a configured name fragment occurs in the program's name, in argv[0], or (for an
 * interpreter) in its operands, is the daemon asked over the session's Unix socket. Every other exec goes
 * straight to libc. Anything that goes wrong once the daemon must be asked denies the exec (fail closed).
 *
 * The exec path may run in a forked or vfork'ed child of a multithreaded program, so it uses no malloc, stdio
 * or locks: stack buffers and plain syscalls only. The config and the real functions are resolved when the
 * library is loaded.
 *
 * Best effort by nature: static binaries, raw syscalls (other than through libc's syscall()), programs that do
 * the work in-process, and a file swapped between the check and the exec are not seen. The sandbox is the hard
 * boundary; this shim makes the charter hold for the programs a session runs in ordinary ways.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wordexp.h>

extern char **environ;

#define FIXED_CONF "/run/vp-daemon/exec-guard.conf" /* wins over the variable, so a session cannot redirect it */
#define CONF_VAR "VP_EXEC_GUARD_CONF"
#define PRELOAD_VAR "LD_PRELOAD"
#define MAX_CONF 65536
#define MAX_NAMES 128
#define NAME_LEN 128
#define MAX_LEVELS 5              /* a script, its #! interpreter, ...: as deep as the kernel follows */
#define SHEBANG_LEN 256           /* the kernel reads this much of a #! line (BINPRM_BUF_SIZE) */
#define MAX_REQUEST (3u << 20)    /* the daemon drops requests over 4 MiB: a longer argv is denied, not cut */
#define MAX_SCAN (64u << 10)      /* interpreter operands scanned for names; past this the daemon is asked */
#define MAX_EXECL_ARGS 65536
#define SMALL_ENV 256             /* environments up to this size are copied on the stack, larger ones mmap'ed */
#define SEND_TIMEOUT_S 10
#define DEFAULT_REPLY_TIMEOUT_MS (60 * 60 * 1000) /* a person may be deciding; `timeout <ms>` overrides */

/*
 * Entry points newer than some glibc versions are defined only when the glibc built against has them: programs
 * test weak references (`if (pidfd_spawnp)`, as the Claude CLI does), and a stub here would make them call it.
 */
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#define HAVE_EXECVEAT __GLIBC_PREREQ(2, 34)
#define HAVE_PIDFD_SPAWN __GLIBC_PREREQ(2, 39)
#else
#define HAVE_EXECVEAT 0
#define HAVE_PIDFD_SPAWN 0
#endif

int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags);
int pidfd_spawn(int *pidfd, const char *path, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                char *const argv[], char *const envp[]);
int pidfd_spawnp(int *pidfd, const char *file, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                 char *const argv[], char *const envp[]);

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);
typedef int (*execveat_fn)(int, const char *, char *const[], char *const[], int);
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                        char *const[], char *const[]);
typedef int (*pidfd_spawn_fn)(int *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
                              char *const[], char *const[]);
typedef int (*system_fn)(const char *);
typedef FILE *(*popen_fn)(const char *, const char *);
typedef int (*wordexp_fn)(const char *, wordexp_t *, int);
typedef long (*syscall_fn)(long, ...);

static execve_fn real_execve, real_execvpe;
static fexecve_fn real_fexecve;
static execveat_fn real_execveat;
static spawn_fn real_posix_spawn, real_posix_spawnp;
#if HAVE_PIDFD_SPAWN
static pidfd_spawn_fn real_pidfd_spawn, real_pidfd_spawnp;
#endif
static system_fn real_system;
static popen_fn real_popen;
static wordexp_fn real_wordexp;
static syscall_fn real_syscall;

enum { CONF_UNLOADED = -1, CONF_NONE, CONF_OK, CONF_BAD };
static int conf_state = CONF_UNLOADED;
static char conf_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char conf_token[130];
static char conf_names[MAX_NAMES][NAME_LEN]; /* lower case; matched case-insensitively */
static int conf_name_count;
static int conf_timeout_ms = DEFAULT_REPLY_TIMEOUT_MS;
static char self_path[PATH_MAX];           /* this library, resolved */
static char self_alias[PATH_MAX];          /* this library as the loader named it */
static char preload_entry[PATH_MAX + 16];  /* "LD_PRELOAD=<self_path>", or "" when unknown */
static char conf_entry[PATH_MAX + 24];     /* "VP_EXEC_GUARD_CONF=<path>" when the config came from there */

/* ---------- small string helpers (no locale, no allocation) ---------- */

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* Copies at most size-1 bytes and always terminates. */
static void copy(char *dst, size_t size, const char *src) {
  size_t n = 0;
  for (; n + 1 < size && src[n]; n++) dst[n] = src[n];
  dst[n] = '\0';
}

/* Appends the decimal form of n (n >= 0) at p; returns the new end. */
static char *put_int(char *p, int n) {
  char digits[12];
  int i = 0;
  do digits[i++] = (char)('0' + n % 10); while ((n /= 10) > 0 && i < 11);
  while (i > 0) *p++ = digits[--i];
  *p = '\0';
  return p;
}

static int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* True when a configured name fragment occurs in s, ignoring ASCII case. */
static int has_fragment(const char *s) {
  for (int k = 0; k < conf_name_count; k++) {
    const char *needle = conf_names[k];
    for (const char *h = s; *h; h++) {
      size_t i = 0;
      while (needle[i] && lower(h[i]) == needle[i]) i++;
      if (!needle[i]) return 1;
    }
  }
  return 0;
}

/* Programs that run their operands themselves (a script file, a -c string, an applet, a loaded binary). */
static int is_interpreter(const char *name) {
  static const char *const exact[] = {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "env", "busybox",
                                      "node", "nodejs", "deno", "bun", "ld.so", NULL};
  static const char *const prefix[] = {"python", "pypy", "perl", "ruby", "php", "lua", "tclsh", "ld-linux", "ld-musl",
                                       NULL};
  if (*name == '-') name++; /* login shells: -bash */
  for (int i = 0; exact[i]; i++)
    if (strcmp(name, exact[i]) == 0) return 1;
  for (int i = 0; prefix[i]; i++)
    if (starts_with(name, prefix[i])) return 1;
  return 0;
}

/* ---------- loading: real functions, this library's path, the config ---------- */

static int parse_config(char *text) {
  int have_socket = 0, have_token = 0;
  for (char *line = text, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t')) line[--len] = '\0';
    if (len == 0 || line[0] == '#') continue;
    char *value = strchr(line, ' ');
    if (!value || value[1] == '\0') return CONF_BAD;
    *value++ = '\0';
    size_t vlen = strlen(value);
    if (strcmp(line, "socket") == 0) {
      if (value[0] != '/' || vlen >= sizeof conf_socket) return CONF_BAD;
      copy(conf_socket, sizeof conf_socket, value);
      have_socket = 1;
    } else if (strcmp(line, "token") == 0) {
      if (vlen >= sizeof conf_token || strspn(value, "0123456789abcdefABCDEF") != vlen) return CONF_BAD;
      copy(conf_token, sizeof conf_token, value);
      have_token = 1;
    } else if (strcmp(line, "name") == 0) {
      if (vlen >= NAME_LEN || conf_name_count >= MAX_NAMES) return CONF_BAD;
      for (size_t i = 0; i <= vlen; i++) conf_names[conf_name_count][i] = lower(value[i]);
      conf_name_count++;
    } else if (strcmp(line, "timeout") == 0) {
      long ms = 0;
      if (strspn(value, "0123456789") != vlen || vlen > 9) return CONF_BAD;
      for (size_t i = 0; i < vlen; i++) ms = ms * 10 + (value[i] - '0');
      if (ms <= 0) return CONF_BAD;
      conf_timeout_ms = (int)ms;
    } else {
      return CONF_BAD; /* an unknown directive may be a rule this shim cannot honour */
    }
  }
  return have_socket && have_token ? CONF_OK : CONF_BAD;
}

/* Reads the config: the fixed path if it exists, else the file the variable names, else none. */
static int load_config(void) {
  static char text[MAX_CONF + 1];
  const char *path = FIXED_CONF;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
    path = getenv(CONF_VAR);
    if (!path || !*path) return CONF_NONE;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    /* Re-inserted into the environment of every exec, so `env -u` cannot drop it (tests outside a sandbox). */
    if (strlen(path) < PATH_MAX) {
      char *p = stpcpy(conf_entry, CONF_VAR "=");
      strcpy(p, path);
    }
  }
  if (fd < 0) return CONF_BAD;
  size_t len = 0;
  for (;;) {
    size_t want = MAX_CONF + 1 - len;
    ssize_t n = read(fd, text + len, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) len = MAX_CONF + 1;
    /* A short read of a regular file is its end: spares a syscall in every process that starts. */
    if (n <= 0 || (len += (size_t)n) > MAX_CONF || (size_t)n < want) break;
  }
  close(fd);
  if (len > MAX_CONF) return CONF_BAD;
  text[len] = '\0';
  return parse_config(text);
}

static void load(void) {
  real_execve = (execve_fn)dlsym(RTLD_NEXT, "execve");
  real_execvpe = (execve_fn)dlsym(RTLD_NEXT, "execvpe");
  real_fexecve = (fexecve_fn)dlsym(RTLD_NEXT, "fexecve");
#if HAVE_EXECVEAT
  real_execveat = (execveat_fn)dlsym(RTLD_NEXT, "execveat");
#endif
  real_posix_spawn = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawn");
  real_posix_spawnp = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawnp");
#if HAVE_PIDFD_SPAWN
  real_pidfd_spawn = (pidfd_spawn_fn)dlsym(RTLD_NEXT, "pidfd_spawn");
  real_pidfd_spawnp = (pidfd_spawn_fn)dlsym(RTLD_NEXT, "pidfd_spawnp");
#endif
  real_system = (system_fn)dlsym(RTLD_NEXT, "system");
  real_popen = (popen_fn)dlsym(RTLD_NEXT, "popen");
  real_wordexp = (wordexp_fn)dlsym(RTLD_NEXT, "wordexp");
  real_syscall = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
  Dl_info info;
  if (dladdr((void *)&load, &info) && info.dli_fname && info.dli_fname[0]) {
    copy(self_alias, sizeof self_alias, info.dli_fname);
    /* The loader names it as LD_PRELOAD did; only a relative name needs resolving (the cwd will change). */
    if (info.dli_fname[0] == '/' || !realpath(info.dli_fname, self_path)) copy(self_path, sizeof self_path, info.dli_fname);
    /* The loader splits LD_PRELOAD at spaces and colons: a path with them cannot be re-inserted. */
    if (!strpbrk(self_path, " :")) strcpy(stpcpy(preload_entry, PRELOAD_VAR "="), self_path);
  }
  __atomic_store_n(&conf_state, load_config(), __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void init(void) { load(); }

/* Another library's constructor may exec before ours ran. */
static void ensure_loaded(void) {
  if (__atomic_load_n(&conf_state, __ATOMIC_ACQUIRE) == CONF_UNLOADED) load();
}

/* ---------- the environment of the exec'd program keeps this library (and the config variable) ---------- */

static int names_self(const char *list) {
  size_t self_len = strlen(self_path), alias_len = strlen(self_alias);
  for (const char *p = list; *p;) {
    size_t n = strcspn(p, " :");
    int same = (n == self_len && strncmp(p, self_path, n) == 0) || (n == alias_len && strncmp(p, self_alias, n) == 0);
    if (n > 0 && same) return 1;
    p += n;
    if (*p) p++;
  }
  return 0;
}

struct envfix {
  char **vec;
  size_t map_len;
  char *small[SMALL_ENV];
  char preload[PATH_MAX];
};

/*
 * Returns envp itself when it already preloads this library (and names the config, when that came from the
 * environment), else a copy that does, or NULL (errno set) when no copy can be made. Release with drop_env.
 * In a vfork'ed child an mmap'ed copy outlives a successful exec in the parent: a small leak, large envs only.
 */
static char *const *fix_env(char *const envp[], struct envfix *fx) {
  static char *const empty[] = {NULL};
  fx->map_len = 0;
  if (conf_state == CONF_NONE || !preload_entry[0]) return envp;
  if (!envp) envp = empty;
  const size_t plen = strlen(PRELOAD_VAR "="), clen = strlen(CONF_VAR "=");
  const char *theirs = NULL;
  int preload_ok = 0, conf_ok = !conf_entry[0];
  size_t n = 0;
  for (; envp[n]; n++) {
    if (starts_with(envp[n], PRELOAD_VAR "=")) {
      theirs = envp[n] + plen; /* the loader uses the last one */
      preload_ok = names_self(theirs);
    } else if (conf_entry[0] && starts_with(envp[n], CONF_VAR "=")) {
      conf_ok = strcmp(envp[n], conf_entry) == 0;
    }
  }
  if (preload_ok && conf_ok) return envp;
  size_t need = n + 3;
  if (need <= SMALL_ENV) {
    fx->vec = fx->small;
  } else {
    fx->map_len = need * sizeof(char *);
    void *map = mmap(NULL, fx->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) {
      errno = ENOMEM;
      fx->map_len = 0;
      return NULL;
    }
    fx->vec = map;
  }
  /* Keep the caller's other preloads after ours when they fit. */
  char *entry = preload_entry;
  if (!preload_ok && theirs && *theirs && strlen(preload_entry) + 1 + strlen(theirs) < sizeof fx->preload) {
    strcpy(stpcpy(stpcpy(fx->preload, preload_entry), ":"), theirs);
    entry = fx->preload;
  }
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (starts_with(envp[i], PRELOAD_VAR "=") && !preload_ok) continue;
    if (conf_entry[0] && strncmp(envp[i], CONF_VAR "=", clen) == 0 && !conf_ok) continue;
    fx->vec[m++] = envp[i];
  }
  if (!preload_ok) fx->vec[m++] = entry;
  if (!conf_ok) fx->vec[m++] = conf_entry;
  fx->vec[m] = NULL;
  return fx->vec;
}

static void drop_env(struct envfix *fx) {
  if (fx->map_len) munmap(fx->vec, fx->map_len);
  fx->map_len = 0;
}

/* Puts the library back into this process's own environment before libc spawns /bin/sh internally. */
static void fix_own_env(void) {
  struct envfix fx;
  char *const *env = fix_env(environ, &fx);
  if (!env || env == environ) {
    drop_env(&fx);
    return;
  }
  for (size_t i = 0; env[i]; i++) {
    if (starts_with(env[i], PRELOAD_VAR "=")) setenv(PRELOAD_VAR, env[i] + strlen(PRELOAD_VAR "="), 1);
    if (conf_entry[0] && starts_with(env[i], CONF_VAR "=")) setenv(CONF_VAR, env[i] + strlen(CONF_VAR "="), 1);
  }
  drop_env(&fx);
}

/* ---------- what will run: the program, and the #! interpreters the kernel will go through ---------- */

struct level {
  const char *given;         /* the path as the caller (or the previous #! line) gave it ... */
  int dirfd, by_fd;          /* ... relative to dirfd, or dirfd itself (fexecve) */
  char name[NAME_MAX + 1];   /* basename as given */
  char canon[NAME_MAX + 1];  /* basename once a final symlink is resolved */
  char interp[SHEBANG_LEN];  /* when this file is a script: its #! interpreter ... */
  char arg[SHEBANG_LEN];     /* ... and the optional argument */
  int script;
};

struct target {
  struct level lv[MAX_LEVELS];
  int count;
};

/* The canonical path of a level, read back from /proc/self/fd; the path as given when /proc is not there. */
static void resolved(const struct level *l, char *out, size_t size) {
  char proc[40];
  int fd = l->by_fd ? l->dirfd : openat(l->dirfd, l->given, O_PATH | O_CLOEXEC);
  ssize_t len = -1;
  if (fd >= 0) {
    put_int(stpcpy(proc, "/proc/self/fd/"), fd);
    len = readlink(proc, out, size - 1);
    if (!l->by_fd) close(fd);
  }
  if (len > 0) out[len] = '\0';
  else if (l->by_fd) put_int(stpcpy(out, "/dev/fd/"), l->dirfd);
  else copy(out, size, l->given);
}

/* Splits a #! line as the kernel does: the interpreter, then the rest of the line as one argument. */
static int parse_shebang(const char *head, ssize_t n, struct level *l) {
  if (n < 3 || head[0] != '#' || head[1] != '!') return 0;
  ssize_t i = 2, end = 2;
  while (end < n && head[end] != '\n' && head[end] != '\0') end++;
  while (i < end && (head[i] == ' ' || head[i] == '\t')) i++;
  ssize_t s = i;
  while (i < end && head[i] != ' ' && head[i] != '\t') i++;
  if (i == s) return 0;
  memcpy(l->interp, head + s, (size_t)(i - s));
  l->interp[i - s] = '\0';
  while (i < end && (head[i] == ' ' || head[i] == '\t')) i++;
  while (end > i && (head[end - 1] == ' ' || head[end - 1] == '\t' || head[end - 1] == '\r')) end--;
  memcpy(l->arg, head + i, (size_t)(end - i));
  l->arg[end - i] = '\0';
  return 1;
}

/*
 * Follows the program through a final symlink and #! lines, with as few syscalls as it can: only a symlink (or
 * a bare descriptor) can change the name, so only then is /proc asked. Returns 0 when the program itself is not
 * there: the exec will fail the same way, so there is nothing to check.
 */
static int inspect(int dirfd, const char *path, int flags, struct target *t) {
  t->count = 0;
  for (int i = 0; i < MAX_LEVELS; i++) {
    struct level *l = &t->lv[i];
    struct stat st;
    *l = (struct level){.given = path, .dirfd = dirfd, .by_fd = (flags & AT_EMPTY_PATH) && path[0] == '\0'};
    copy(l->name, sizeof l->name, base_name(path));
    copy(l->canon, sizeof l->canon, l->name);
    if (l->by_fd ? fstat(dirfd, &st) : fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW)) return i > 0;
    t->count = i + 1;
    if (l->by_fd || S_ISLNK(st.st_mode)) {
      char full[PATH_MAX];
      resolved(l, full, sizeof full);
      copy(l->canon, sizeof l->canon, base_name(full));
      if (!l->by_fd && ((flags & AT_SYMLINK_NOFOLLOW) || fstatat(dirfd, path, &st, 0))) return 1; /* exec fails */
    }
    char head[SHEBANG_LEN];
    ssize_t n = -1;
    if (S_ISREG(st.st_mode)) {
      /* O_NONBLOCK: should the file have become a FIFO meanwhile, never wait for a writer. */
      int rfd = l->by_fd ? -1 : openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      if (l->by_fd && (n = pread(dirfd, head, sizeof head, 0)) < 0) {
        char proc[40]; /* an O_PATH descriptor cannot be read: reopen it */
        put_int(stpcpy(proc, "/proc/self/fd/"), dirfd);
        rfd = open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      }
      if (rfd >= 0) {
        do n = pread(rfd, head, sizeof head, 0); while (n < 0 && errno == EINTR);
        close(rfd);
      }
    }
    if (!parse_shebang(head, n, l)) return 1;
    l->script = 1;
    path = l->interp; /* the kernel resolves the interpreter from the cwd, following symlinks */
    dirfd = AT_FDCWD;
    flags = 0;
  }
  return 1;
}

/* The cheap local filter: does any name fragment occur where it could matter? */
static int wanted(const struct target *t, char *const argv[]) {
  int interpreter = 0;
  for (int i = 0; i < t->count; i++) {
    const struct level *l = &t->lv[i];
    if (has_fragment(l->name) || has_fragment(l->canon) || (l->script && has_fragment(l->arg))) return 1;
    interpreter |= is_interpreter(l->name) || is_interpreter(l->canon);
  }
  if (!argv || !argv[0]) return 0;
  if (has_fragment(base_name(argv[0]))) return 1;
  interpreter |= is_interpreter(base_name(argv[0]));
  if (!interpreter) return 0;
  size_t scanned = 0;
  for (int i = 1; argv[i]; i++) {
    if ((scanned += strlen(argv[i])) > MAX_SCAN) return 1;
    if (has_fragment(argv[i])) return 1;
  }
  return 0;
}

/* ---------- asking the daemon ---------- */

struct out {
  int fd;
  int failed;  /* 1: the socket failed, 2: the request is too long */
  size_t len, total;
  char buf[4096];
};

static void out_flush(struct out *o) {
  for (size_t at = 0; at < o->len && !o->failed;) {
    ssize_t n = send(o->fd, o->buf + at, o->len - at, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) o->failed = 1;
    else at += (size_t)n;
  }
  o->len = 0;
}

static void out_raw(struct out *o, const char *s, size_t n) {
  if (o->failed) return;
  if ((o->total += n) > MAX_REQUEST) {
    o->failed = 2;
    return;
  }
  while (n > 0) {
    size_t room = sizeof o->buf - o->len, k = n < room ? n : room;
    memcpy(o->buf + o->len, s, k);
    o->len += k, s += k, n -= k;
    if (o->len == sizeof o->buf) out_flush(o);
  }
}

static void out_lit(struct out *o, const char *s) { out_raw(o, s, strlen(s)); }

/* A JSON string: quotes, backslashes and control bytes escaped; other bytes as they are. */
static void out_json(struct out *o, const char *s) {
  static const char hex[] = "0123456789abcdef";
  out_raw(o, "\"", 1);
  while (*s && !o->failed) {
    size_t run = 0;
    while (s[run] && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20) run++;
    out_raw(o, s, run);
    s += run;
    if (!*s) break;
    char esc[6] = {'\\', 'u', '0', '0', hex[(unsigned char)*s >> 4], hex[*s & 15]};
    if (*s == '"' || *s == '\\') out_raw(o, (char[]){'\\', *s}, 2);
    else out_raw(o, esc, 6);
    s++;
  }
  out_raw(o, "\"", 1);
}

static void out_item(struct out *o, const char *s, int *first) {
  if (!*first) out_raw(o, ",", 1);
  *first = 0;
  out_json(o, s);
}

/* Copies the "reason" of a deny reply, unescaping the common escapes; the rest becomes '?'. */
static void reply_reason(const char *reply, char *reason, size_t size) {
  const char *p = strstr(reply, "\"reason\":\"");
  size_t n = 0;
  if (!p) {
    copy(reason, size, "denied by the vp-daemon");
    return;
  }
  for (p += 10; *p && *p != '"' && n + 1 < size; p++) {
    char c = *p;
    if (c == '\\' && p[1]) {
      c = *++p;
      if (c == 'u') {
        int k = 0;
        while (k < 4 && p[1]) p++, k++;
        c = '?';
      } else if (c != '"' && c != '\\' && c != '/') {
        c = ' ';
      }
    }
    reason[n++] = (unsigned char)c < 0x20 ? ' ' : c;
  }
  reason[n] = '\0';
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sends {"token","exec":{"path","argv","cwd"}} and waits for the answer. Returns 1 to allow, 0 to deny. */
static int ask(const struct target *t, char *const argv[], char *reason, size_t size) {
  struct out o = {.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (o.fd < 0) return copy(reason, size, "cannot open a socket to the vp-daemon guard"), 0;
  struct timeval tv = {SEND_TIMEOUT_S, 0};
  setsockopt(o.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv); /* also bounds connect() on a Unix socket */
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  memcpy(addr.sun_path, conf_socket, strlen(conf_socket) + 1);
  int r;
  do r = connect(o.fd, (struct sockaddr *)&addr, sizeof addr); while (r < 0 && errno == EINTR);
  if (r < 0 && errno != EISCONN) {
    close(o.fd);
    return copy(reason, size, "cannot reach the vp-daemon guard socket"), 0;
  }
  char cwd[PATH_MAX], path[PATH_MAX], script[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) cwd[0] = '\0';
  int first = 1, scripts = 0;
  while (scripts < t->count && t->lv[scripts].script) scripts++;
  resolved(&t->lv[t->count - 1], path, sizeof path);
  if (scripts > 0) resolved(&t->lv[0], script, sizeof script);
  out_lit(&o, "{\"token\":\"");
  out_lit(&o, conf_token);
  out_lit(&o, "\",\"exec\":{\"path\":");
  out_json(&o, path);
  out_lit(&o, ",\"argv\":[");
  /*
   * What the kernel will run for a #! chain: [interp_k, arg_k, ..., interp_0, arg_0, script, argv[1..]], with the
   * script's resolved path where the kernel passes the name it was given (the same file, named plainly).
   */
  for (int i = scripts - 1; i >= 0; i--) {
    out_item(&o, t->lv[i].interp, &first);
    if (t->lv[i].arg[0]) out_item(&o, t->lv[i].arg, &first);
  }
  if (scripts > 0) out_item(&o, script, &first);
  if (argv && argv[0])
    for (int i = scripts > 0 ? 1 : 0; argv[i]; i++) out_item(&o, argv[i], &first);
  out_lit(&o, "],\"cwd\":");
  out_json(&o, cwd);
  out_lit(&o, "}}\n");
  out_flush(&o);
  if (o.failed) {
    close(o.fd);
    return copy(reason, size, o.failed == 2 ? "argument list too long to be checked" : "cannot write to the vp-daemon guard"), 0;
  }
  /* The answer comes as one line, then the daemon closes. A person may be deciding: wait up to the timeout. */
  char reply[2048];
  size_t len = 0;
  long deadline = now_ms() + conf_timeout_ms;
  for (;;) {
    long left = deadline - now_ms();
    if (left <= 0) {
      close(o.fd);
      return copy(reason, size, "no answer from the vp-daemon guard in time"), 0;
    }
    struct pollfd pfd = {.fd = o.fd, .events = POLLIN};
    int p = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
    if (p == 0 || (p < 0 && errno == EINTR)) continue; /* the deadline check above decides */
    if (p < 0) break;
    ssize_t n = read(o.fd, reply + len, sizeof reply - 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || (len += (size_t)n) == sizeof reply - 1) break;
  }
  close(o.fd);
  reply[len] = '\0';
  while (len > 0 && (reply[len - 1] == '\n' || reply[len - 1] == ' ')) reply[--len] = '\0';
  if (strcmp(reply, "{\"decision\":\"allow\"}") == 0) return 1;
  if (starts_with(reply, "{\"decision\":\"deny\"")) reply_reason(reply, reason, size);
  else copy(reason, size, "unexpected answer from the vp-daemon guard");
  return 0;
}

/* Writes `vp-daemon: blocked <argv0>: <reason>` to stderr in one write, control bytes replaced. */
static void report(const char *argv0, const char *reason) {
  char line[1024];
  size_t n = 0;
  const char *parts[] = {"vp-daemon: blocked ", argv0, ": ", reason};
  const size_t caps[] = {32, 256, 4, 600};
  for (int k = 0; k < 4; k++)
    for (size_t i = 0; parts[k][i] && i < caps[k]; i++) line[n++] = (unsigned char)parts[k][i] < 0x20 ? '?' : parts[k][i];
  line[n++] = '\n';
  ssize_t w;
  do w = write(2, line, n); while (w < 0 && errno == EINTR);
}

/* Decides one exec. Returns 0 to go ahead, or EACCES after reporting why not. */
static int guard(int dirfd, const char *path, int flags, char *const argv[]) {
  ensure_loaded();
  if (conf_state == CONF_NONE || !path) return 0;
  const char *argv0 = argv && argv[0] ? argv[0] : path;
  char reason[600];
  if (conf_state == CONF_BAD) {
    report(argv0, "the exec guard's config is unreadable or invalid");
    return EACCES;
  }
  struct target t;
  if (!inspect(dirfd, path, flags, &t) || !wanted(&t, argv)) return 0;
  if (ask(&t, argv, reason, sizeof reason)) return 0;
  report(argv0, reason);
  return EACCES;
}

/*
 * The path an exec*p function will run, found through PATH as libc does (default "/bin:/usr/bin"; an empty
 * entry is the cwd). Not found: the name itself, which the filter still sees.
 */
static const char *resolve(const char *file, char *buf, size_t size) {
  if (!file || !*file || strchr(file, '/')) return file;
  const char *dirs = getenv("PATH");
  if (!dirs) dirs = "/bin:/usr/bin";
  size_t flen = strlen(file);
  for (const char *d = dirs;; d++) {
    size_t dlen = strcspn(d, ":");
    if (dlen + flen + 3 <= size) { /* room for "./", the name and its NUL */
      size_t k = dlen;
      memcpy(buf, d, dlen);
      if (k == 0) buf[k++] = '.';
      buf[k] = '/';
      memcpy(buf + k + 1, file, flen + 1);
      struct stat st;
      /* As libc does: the first that this process may execute (a file of mode 0010 does not count). */
      if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && faccessat(AT_FDCWD, buf, X_OK, AT_EACCESS) == 0) return buf;
    }
    d += dlen;
    if (!*d) break;
  }
  return file;
}

/* ---------- the wrapped entry points ---------- */

static int do_execve(const char *path, char *const argv[], char *const envp[]) {
  int err = guard(AT_FDCWD, path, 0, argv);
  if (err) return errno = err, -1;
  if (!real_execve) return errno = ENOSYS, -1;
  struct envfix fx;
  char *const *env = fix_env(envp, &fx);
  if (!env) return -1;
  int r = real_execve(path, argv, env);
  int saved = errno;
  drop_env(&fx);
  return errno = saved, r;
}

static int do_execvpe(const char *file, char *const argv[], char *const envp[]) {
  char buf[PATH_MAX];
  int err = guard(AT_FDCWD, resolve(file, buf, sizeof buf), 0, argv);
  if (err) return errno = err, -1;
  if (!real_execvpe) return errno = ENOSYS, -1;
  struct envfix fx;
  char *const *env = fix_env(envp, &fx);
  if (!env) return -1;
  int r = real_execvpe(file, argv, env);
  int saved = errno;
  drop_env(&fx);
  return errno = saved, r;
}

int execve(const char *path, char *const argv[], char *const envp[]) { return do_execve(path, argv, envp); }
int execv(const char *path, char *const argv[]) { return do_execve(path, argv, environ); }
int execvpe(const char *file, char *const argv[], char *const envp[]) { return do_execvpe(file, argv, envp); }
int execvp(const char *file, char *const argv[]) { return do_execvpe(file, argv, environ); }

/* The execl family: count the variadic arguments, then collect them on the stack as glibc does. */
static size_t count_args(const char *arg, va_list ap) {
  size_t argc = 0;
  if (arg)
    for (argc = 1; va_arg(ap, const char *) && argc <= MAX_EXECL_ARGS;) argc++;
  return argc;
}

/* Fills argv[0..argc] from arg and ap, and leaves ap after the terminating NULL. */
static void collect_args(char **argv, const char *arg, size_t argc, va_list *ap) {
  argv[0] = (char *)arg;
  for (size_t i = 1; i < argc; i++) argv[i] = va_arg(*ap, char *);
  if (argc > 0) (void)va_arg(*ap, char *);
  argv[argc] = NULL;
}

#define WITH_ARGS(arg, argv, ap, body)             \
  va_list ap;                                      \
  va_start(ap, arg);                               \
  size_t argc = count_args(arg, ap);               \
  va_end(ap);                                      \
  if (argc > MAX_EXECL_ARGS) return errno = E2BIG, -1; \
  char *argv[argc + 1];                            \
  va_start(ap, arg);                               \
  collect_args(argv, arg, argc, &ap);              \
  body;                                            \
  va_end(ap)

int execl(const char *path, const char *arg, ...) {
  WITH_ARGS(arg, argv, ap, (void)0);
  return do_execve(path, argv, environ);
}

int execle(const char *path, const char *arg, ...) {
  char **envp;
  WITH_ARGS(arg, argv, ap, envp = va_arg(ap, char **));
  return do_execve(path, argv, envp);
}

int execlp(const char *file, const char *arg, ...) {
  WITH_ARGS(arg, argv, ap, (void)0);
  return do_execvpe(file, argv, environ);
}

int fexecve(int fd, char *const argv[], char *const envp[]) {
  int err = guard(fd, "", AT_EMPTY_PATH, argv);
  if (err) return errno = err, -1;
  if (!real_fexecve) return errno = ENOSYS, -1;
  struct envfix fx;
  char *const *env = fix_env(envp, &fx);
  if (!env) return -1;
  int r = real_fexecve(fd, argv, env);
  int saved = errno;
  drop_env(&fx);
  return errno = saved, r;
}

#if HAVE_EXECVEAT
int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags) {
  int err = guard(dirfd, path, flags, argv);
  if (err) return errno = err, -1;
  struct envfix fx;
  char *const *env = fix_env(envp, &fx);
  if (!env) return -1;
  int r = real_execveat ? real_execveat(dirfd, path, argv, env, flags)
          : real_syscall ? (int)real_syscall(SYS_execveat, dirfd, path, argv, env, flags)
                         : (errno = ENOSYS, -1);
  int saved = errno;
  drop_env(&fx);
  return errno = saved, r;
}
#endif

/* posix_spawn and friends return the error instead of setting errno. */
#define SPAWN_BODY(real, out, name, check_path, fa, attr, argv, envp)       \
  char buf[PATH_MAX];                                                       \
  (void)buf;                                                                \
  int err = guard(AT_FDCWD, check_path, 0, argv);                           \
  if (err) return err;                                                      \
  if (!real) return ENOSYS;                                                 \
  struct envfix fx;                                                         \
  char *const *env = fix_env(envp, &fx);                                    \
  if (!env) return ENOMEM;                                                  \
  int r = real(out, name, fa, attr, argv, env);                             \
  drop_env(&fx);                                                            \
  return r

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                char *const argv[], char *const envp[]) {
  SPAWN_BODY(real_posix_spawn, pid, path, path, fa, attr, argv, envp);
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                 char *const argv[], char *const envp[]) {
  SPAWN_BODY(real_posix_spawnp, pid, file, resolve(file, buf, sizeof buf), fa, attr, argv, envp);
}

#if HAVE_PIDFD_SPAWN
int pidfd_spawn(int *pidfd, const char *path, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                char *const argv[], char *const envp[]) {
  SPAWN_BODY(real_pidfd_spawn, pidfd, path, path, fa, attr, argv, envp);
}

int pidfd_spawnp(int *pidfd, const char *file, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                 char *const argv[], char *const envp[]) {
  SPAWN_BODY(real_pidfd_spawnp, pidfd, file, resolve(file, buf, sizeof buf), fa, attr, argv, envp);
}
#endif

/* These run /bin/sh through libc's internal spawn, with this process's environment: keep the library in it. */
int system(const char *command) {
  ensure_loaded();
  if (command) fix_own_env();
  return real_system ? real_system(command) : (errno = ENOSYS, -1);
}

FILE *popen(const char *command, const char *type) {
  ensure_loaded();
  fix_own_env();
  return real_popen ? real_popen(command, type) : (errno = ENOSYS, NULL);
}

int wordexp(const char *words, wordexp_t *we, int flags) {
  ensure_loaded();
  if (!(flags & WRDE_NOCMD)) fix_own_env();
  return real_wordexp ? real_wordexp(words, we, flags) : WRDE_NOSPACE;
}

/*
 * syscall(SYS_execve, ...) through libc (e.g. Python's ctypes) is checked too. Six arguments are always passed
 * on, as glibc's own syscall() reads six registers whatever the caller gave.
 */
long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  ensure_loaded();
  if (!real_syscall) return errno = ENOSYS, -1;
  if (number == SYS_execve || number == SYS_execveat) {
    int at = number == SYS_execveat;
    int err = guard(at ? (int)a[0] : AT_FDCWD, (const char *)a[at], at ? (int)a[4] : 0, (char *const *)a[at + 1]);
    if (err) return errno = err, -1;
    struct envfix fx;
    char *const *env = fix_env((char *const *)a[at + 2], &fx);
    if (!env) return -1;
    a[at + 2] = (long)env;
    long r = real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
    int saved = errno;
    drop_env(&fx);
    return errno = saved, r;
  }
  return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
