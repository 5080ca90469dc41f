/*
 * polyproc-client: the `polyproc` command's fast path. bin/polyproc execs it as
 *
 *     polyproc-client FOLDER KEY N JAVA_1 ... JAVA_N MAIN ARGS...
 *
 * JAVA_1..N: the java command line bin/polyproc would run, up to the main class MAIN; ARGS: the
 * user's. The client asks the polyproc server (polyproc.server.ServerMain) listening at
 * FOLDER/KEY.sock to run the program in a booted worker JVM, handing over its descriptors 0-2,
 * arguments, environment, directory, umask, nice value and resource limits; it forwards the
 * signals it gets to the program and ends as the program ended (exit status, or death by the
 * same signal). When no server answers it starts one in the background for later commands, and
 * whenever the server cannot serve it execs the java command itself: the same process, exactly
 * as bin/polyproc without a server. The server may make polyproc faster, never break it.
 *
 *     polyproc-client FOLDER KEY N JAVA... MAIN --server-status|--server-stop
 *
 * prints the server's state, or stops it. Protocol: polyproc.protocol.ServerProtocol.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAGIC 0x50505131u /* "PPQ1" */
enum kind { RUN = 0, STATUS = 1, STOP = 2 };

static char *folder, *key;
static char **java;     /* JAVA_1..N, MAIN, ARGS..., NULL: the direct command */
static int java_words;  /* N */
static char **args;     /* ARGS */
static int arg_count;
static int signal_pipe[2] = {-1, -1};
static uint64_t ignored_signals; /* bit N: this command was started ignoring signal N */

/* Runs the command without the server: the java command, in this process. */
static void run_directly(void) {
    execv(java[0], java);
    fprintf(stderr, "polyproc: cannot run %s: %s\n", java[0], strerror(errno));
    exit(127);
}

/* Ends as a process killed by sig does (the shell sees the same status). */
static void die_by(int sig) {
    struct sigaction dfl = {0};
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    exit(128 + sig); /* a signal whose default is not to end the process */
}

/* FOLDER: made if missing; used only if it is a folder of this user, closed to everyone else. */
static int folder_is_private(void) {
    if (mkdir(folder, 0700) != 0 && errno != EEXIST) {
        return 0;
    }
    struct stat st;
    if (lstat(folder, &st) != 0) {
        return 0;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0) {
        fprintf(stderr, "polyproc: not using the server: %s is not a folder of this user closed to others\n", folder);
        return 0;
    }
    return 1;
}

static int path_in_folder(char *out, size_t size, const char *suffix) {
    return snprintf(out, size, "%s/%s%s", folder, key, suffix) < (int) size;
}

static int connect_to_server(void) {
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (!path_in_folder(address.sun_path, sizeof address.sun_path, ".sock")) {
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * The pid of the process that holds FOLDER/KEY.lock: a server, or one starting (its starter
 * takes the lock before it execs the JVM, which keeps it); 0 if none, -1 if it cannot be told.
 * A POSIX record lock, the kind the JVM's FileChannel.tryLock takes (flock locks are apart).
 */
static pid_t lock_holder(void) {
    char path[4096];
    if (!path_in_folder(path, sizeof path, ".lock")) {
        return -1;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return -1;
    }
    struct flock query = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int r = fcntl(fd, F_GETLK, &query);
    close(fd);
    return r != 0 ? -1 : query.l_type == F_UNLCK ? 0 : query.l_pid;
}

/* After a stop: waits until the server has ended (its lock is free), at most 10 s. */
static void await_server_end(void) {
    for (int i = 0; i < 100 && lock_holder() > 0; i++) {
        usleep(100 * 1000);
    }
}

/*
 * Starts a server in the background, detached (its own session, a grandchild that init
 * adopts), once this command has ended: a JVM booting beside the command's own would make the
 * command slower than it is without a server. With /dev/null as stdin and FOLDER/KEY.log as
 * stdout and stderr; its workers boot
 * with this command's environment (it serves commands whose PYTHON* variables, locale, ...
 * are the same: polyproc.server.ServerMain.whyNotServed). Not if one holds the lock:
 * it runs or is starting. Of two started at once, the one that gets the lock stays.
 */
static void start_server(void) {
    char path[4096];
    if (lock_holder() != 0) { /* also when the lock's path does not fit: -1 */
        return;
    }
    pid_t command = getpid(); /* the java command runs in this process once we exec it */
    pid_t middle = fork();
    if (middle != 0) {
        if (middle > 0) {
            waitpid(middle, NULL, 0);
        }
        return;
    }
    setsid();
    if (fork() != 0) {
        _exit(0);
    }
    int null = open("/dev/null", O_RDONLY);
    path_in_folder(path, sizeof path, ".log");
    int log = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null < 0 || log < 0) {
        _exit(1);
    }
    int command_ended = (int) syscall(SYS_pidfd_open, command, 0);
    dup2(null, 0);
    dup2(log, 1);
    dup2(log, 2);
    if (command_ended >= 0) {
        dup2(command_ended, 3);
        syscall(SYS_close_range, 4, ~0U, 0);
        struct pollfd ended = {3, POLLIN, 0};
        while (poll(&ended, 1, -1) < 0 && errno == EINTR) {
        }
        close(3);
    }
    syscall(SYS_close_range, 3, ~0U, 0);
    /*
     * Taken here and kept across exec (no close-on-exec: closing it would let the lock go), so
     * that the starting JVM already holds it: another starter gives way without booting one,
     * and --server-stop finds it. The JVM's own tryLock then finds the lock its process's.
     */
    path_in_folder(path, sizeof path, ".lock");
    int lock = open(path, O_RDWR | O_CREAT, 0600);
    struct flock whole = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (lock < 0 || fcntl(lock, F_SETLK, &whole) != 0) {
        _exit(0); /* another server runs or is starting */
    }
    struct sigaction dfl = {0};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        sigaction(sig, &dfl, NULL); /* a server outlives the terminal that started it: SIGHUP too */
    }
    signal(SIGHUP, SIG_IGN);
    char **argv = calloc(java_words + 4, sizeof *argv);
    memcpy(argv, java, java_words * sizeof *argv);
    argv[java_words] = "polyproc.server.ServerMain";
    argv[java_words + 1] = folder;
    argv[java_words + 2] = key;
    execv(argv[0], argv);
    _exit(127);
}

/* A growing byte buffer for the request. */
struct buffer { char *data; size_t length, capacity; };

static void put(struct buffer *b, const void *data, size_t n) {
    if (b->length + n > b->capacity) {
        b->capacity = (b->length + n) * 2;
        b->data = realloc(b->data, b->capacity);
        if (!b->data) {
            run_directly();
        }
    }
    memcpy(b->data + b->length, data, n);
    b->length += n;
}

static void put32(struct buffer *b, uint32_t v) { put(b, &v, 4); }
static void put64(struct buffer *b, uint64_t v) { put(b, &v, 8); }
static void put_string(struct buffer *b, const char *s) { put32(b, strlen(s)); put(b, s, strlen(s)); }

/* The request (4-byte length, body); false if this command cannot be described (no cwd). */
static int build_request(struct buffer *b, enum kind kind) {
    put32(b, 0);
    put32(b, MAGIC);
    put32(b, kind);
    if (kind != RUN) {
        goto done;
    }
    put32(b, arg_count);
    for (int i = 0; i < arg_count; i++) {
        put_string(b, args[i]);
    }
    int env_count = 0;
    for (char **e = environ; *e; e++) {
        env_count++;
    }
    put32(b, env_count);
    for (char **e = environ; *e; e++) {
        put_string(b, *e);
    }
    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        return 0;
    }
    put_string(b, cwd);
    free(cwd);
    mode_t mask = umask(0);
    umask(mask);
    put32(b, mask);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, 0);
    if (errno != 0) {
        return 0;
    }
    put32(b, (uint32_t) nice);
    put64(b, ignored_signals);
    put32(b, RLIMIT_NLIMITS);
    for (int r = 0; r < RLIMIT_NLIMITS; r++) {
        struct rlimit limit;
        if (getrlimit(r, &limit) != 0) {
            return 0;
        }
        put32(b, r);
        put64(b, limit.rlim_cur);
        put64(b, limit.rlim_max);
    }
done:;
    uint32_t length = b->length - 4;
    memcpy(b->data, &length, 4);
    return 1;
}

/* Sends the request; with fds attached (SCM_RIGHTS) to its first part if fd_count > 0. */
static int send_request(int sock, struct buffer *b, const int *fds, int fd_count) {
    size_t sent = 0;
    while (sent < b->length) {
        struct iovec iov = {b->data + sent, b->length - sent};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        char control[CMSG_SPACE(3 * sizeof(int))];
        if (sent == 0 && fd_count > 0) {
            memset(control, 0, sizeof control);
            msg.msg_control = control;
            msg.msg_controllen = CMSG_SPACE(fd_count * sizeof(int));
            struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(fd_count * sizeof(int));
            memcpy(CMSG_DATA(c), fds, fd_count * sizeof(int));
        }
        ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 0;
        }
        sent += n;
    }
    return 1;
}

/* --server-status, --server-stop: the server's answer on stdout. */
static int ask_server(enum kind kind) {
    int private = folder_is_private();
    int sock = private ? connect_to_server() : -1;
    if (sock < 0) {
        pid_t starting = private ? lock_holder() : 0;
        if (starting > 0 && kind == STOP) {
            kill(starting, SIGTERM); /* it ends as on its idle timeout, or before it listens */
            await_server_end();
            printf("stopped the polyproc server that was starting (%s/%s.sock)\n", folder, key);
            return 0;
        }
        if (starting > 0) {
            printf("a polyproc server is starting (pid %d, %s/%s.sock)\n", (int) starting, folder, key);
            return 1;
        }
        printf("no polyproc server runs for this configuration (%s/%s.sock)\n", folder, key);
        return kind == STOP ? 0 : 1;
    }
    struct buffer b = {0};
    build_request(&b, kind);
    if (!send_request(sock, &b, NULL, 0)) {
        return 1;
    }
    char data[4096];
    ssize_t n;
    while ((n = read(sock, data, sizeof data)) > 0) {
        if (kind == STATUS) {
            fwrite(data, 1, n, stdout);
        }
    }
    if (kind == STOP) {
        await_server_end();
        printf("stopped the polyproc server (%s/%s.sock)\n", folder, key);
    }
    return 0;
}

static void on_signal(int sig) {
    int saved = errno;
    unsigned char s = sig;
    (void) !write(signal_pipe[1], &s, 1);
    errno = saved;
}

/*
 * What reaches the command and is passed on to the program. One the command was started
 * ignoring (nohup: SIGHUP) is passed on too: the program starts with it ignored, as it would
 * have (the request says which), and may install a handler for it.
 */
static const int FORWARDED[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGTSTP, SIGCONT};
#define FORWARDED_COUNT ((int) (sizeof FORWARDED / sizeof FORWARDED[0]))

static int is_ignored(int sig) { return (ignored_signals >> sig) & 1; }

static void catch_signals(void) {
    for (int i = 0; i < FORWARDED_COUNT; i++) {
        struct sigaction old, sa = {0};
        sigaction(FORWARDED[i], NULL, &old);
        if (old.sa_handler == SIG_IGN) {
            ignored_signals |= (uint64_t) 1 << FORWARDED[i];
        }
        sa.sa_handler = on_signal;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(FORWARDED[i], &sa, NULL);
    }
}

/* As the command was started (before the direct run's exec). */
static void restore_signals(void) {
    for (int i = 0; i < FORWARDED_COUNT; i++) {
        struct sigaction old, before = {0};
        before.sa_handler = is_ignored(FORWARDED[i]) ? SIG_IGN : SIG_DFL;
        sigaction(FORWARDED[i], NULL, &old);
        if (old.sa_handler == on_signal) {
            sigaction(FORWARDED[i], &before, NULL);
        }
    }
}

static int ends_the_process(int sig) {
    return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT || sig == SIGUSR1 || sig == SIGUSR2;
}

/* Passes sig on to the program; a stop (^Z) also stops this command, as the shell expects. */
static void forward(int pidfd, int sig) {
    syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
    if (sig == SIGTSTP && !is_ignored(SIGTSTP)) {
        struct sigaction dfl = {0}, mine = {0};
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGTSTP, &dfl, &mine);
        raise(SIGTSTP); /* stops here until SIGCONT */
        sigaction(SIGTSTP, &mine, NULL);
    }
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: polyproc-client FOLDER KEY N JAVA... MAIN ARGS...\n");
        return 2;
    }
    folder = argv[1];
    key = argv[2];
    java_words = atoi(argv[3]);
    if (java_words < 1 || 4 + java_words >= argc) {
        fprintf(stderr, "polyproc-client: bad word count %s\n", argv[3]);
        return 2;
    }
    java = argv + 4;
    args = argv + 5 + java_words;
    arg_count = argc - 5 - java_words;
    if (arg_count == 1 && strcmp(args[0], "--server-status") == 0) {
        return ask_server(STATUS);
    }
    if (arg_count == 1 && strcmp(args[0], "--server-stop") == 0) {
        return ask_server(STOP);
    }
    if (!folder_is_private()) {
        run_directly();
    }
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) < 0) {
            run_directly(); /* a closed 0-2: nothing to hand over */
        }
    }
    struct sockaddr_un fits;
    if (!path_in_folder(fits.sun_path, sizeof fits.sun_path, ".sock")) {
        run_directly(); /* a socket path longer than Unix sockets allow: no server can listen there */
    }
    int sock = connect_to_server();
    if (sock < 0) {
        start_server();
        run_directly();
    }
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        run_directly();
    }
    catch_signals();
    struct buffer request = {0};
    int stdio[3] = {0, 1, 2};
    if (!build_request(&request, RUN) || !send_request(sock, &request, stdio, 3)) {
        restore_signals();
        run_directly();
    }
    free(request.data);

    int pidfd = -1;
    unsigned char pending[64];
    int pending_count = 0;
    char line[4096];
    size_t used = 0;
    while (1) {
        struct pollfd fds[2] = {{sock, POLLIN, 0}, {signal_pipe[0], POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            continue; /* EINTR: a signal, read from the pipe next round */
        }
        if (fds[1].revents & POLLIN) {
            unsigned char s;
            while (read(signal_pipe[0], &s, 1) == 1) {
                if (pidfd >= 0) {
                    forward(pidfd, s);
                } else if (pending_count < (int) sizeof pending) {
                    pending[pending_count++] = s; /* for the program once it has a pid */
                }
            }
        }
        if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            continue;
        }
        ssize_t n = read(sock, line + used, sizeof line - 1 - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (pidfd < 0) {
                /* The server ended before any program started: nothing ran. */
                restore_signals();
                for (int i = 0; i < pending_count; i++) {
                    if (ends_the_process(pending[i]) && !is_ignored(pending[i])) {
                        die_by(pending[i]);
                    }
                }
                run_directly();
            }
            fprintf(stderr, "polyproc: the program's exit status was lost (its worker died with the server)\n");
            return 255;
        }
        used += n;
        line[used] = '\0';
        char *end;
        while ((end = strchr(line, '\n')) != NULL) {
            *end = '\0';
            char letter = line[0];
            const char *value = line[1] ? line + 2 : "";
            switch (letter) {
            case 'P':
                pidfd = (int) syscall(SYS_pidfd_open, atoi(value), 0);
                for (int i = 0; i < pending_count && pidfd >= 0; i++) {
                    forward(pidfd, pending[i]);
                }
                pending_count = 0;
                break;
            case 'X':
                return atoi(value);
            case 'S':
                restore_signals();
                die_by(atoi(value));
                break;
            case 'E':
                fprintf(stderr, "polyproc: the server refused the command: %s\n", value);
                /* fall through: run it here */
            case 'D':
                if (getenv("POLYPROC_SERVER_DEBUG")) {
                    fprintf(stderr, "polyproc: runs without the server: %s\n", value);
                }
                restore_signals();
                for (int i = 0; i < pending_count; i++) {
                    if (ends_the_process(pending[i]) && !is_ignored(pending[i])) {
                        die_by(pending[i]);
                    }
                }
                run_directly();
                break;
            default:
                break;
            }
            size_t rest = used - (end + 1 - line);
            memmove(line, end + 1, rest + 1);
            used = rest;
        }
        if (used == sizeof line - 1) {
            used = 0; /* a line longer than any reply: not ours; drop it */
        }
    }
}
