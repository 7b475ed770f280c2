/*
 * names: static errno and signal name tables (see names.h for why not
 * strerror/strsignal).
 *
 * The userspace errno table is built from the <errno.h> macros so a
 * misspelt number cannot slip in, and gcc's -Woverride-init (in -Wextra)
 * rejects two names for one slot, which is how the preferred spelling of
 * each alias is enforced. Kernel-internal codes are not in any userspace
 * header and are spelled out from include/linux/errno.h.
 */
#include "names.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define E(x)          [x] = #x

/* Aliases are left out on purpose: only EAGAIN, EDEADLK and EOPNOTSUPP name their slots. */
_Static_assert(EWOULDBLOCK == EAGAIN, "EWOULDBLOCK must alias EAGAIN");
_Static_assert(ENOTSUP == EOPNOTSUPP, "ENOTSUP must alias EOPNOTSUPP");

static const char *const errno_names[] = {
        E(EPERM),
        E(ENOENT),
        E(ESRCH),
        E(EINTR),
        E(EIO),
        E(ENXIO),
        E(E2BIG),
        E(ENOEXEC),
        E(EBADF),
        E(ECHILD),
        E(EAGAIN),
        E(ENOMEM),
        E(EACCES),
        E(EFAULT),
        E(ENOTBLK),
        E(EBUSY),
        E(EEXIST),
        E(EXDEV),
        E(ENODEV),
        E(ENOTDIR),
        E(EISDIR),
        E(EINVAL),
        E(ENFILE),
        E(EMFILE),
        E(ENOTTY),
        E(ETXTBSY),
        E(EFBIG),
        E(ENOSPC),
        E(ESPIPE),
        E(EROFS),
        E(EMLINK),
        E(EPIPE),
        E(EDOM),
        E(ERANGE),
        E(EDEADLK),
        E(ENAMETOOLONG),
        E(ENOLCK),
        E(ENOSYS),
        E(ENOTEMPTY),
        E(ELOOP),
        E(ENOMSG),
        E(EIDRM),
        E(ECHRNG),
        E(EL2NSYNC),
        E(EL3HLT),
        E(EL3RST),
        E(ELNRNG),
        E(EUNATCH),
        E(ENOCSI),
        E(EL2HLT),
        E(EBADE),
        E(EBADR),
        E(EXFULL),
        E(ENOANO),
        E(EBADRQC),
        E(EBADSLT),
        E(EBFONT),
        E(ENOSTR),
        E(ENODATA),
        E(ETIME),
        E(ENOSR),
        E(ENONET),
        E(ENOPKG),
        E(EREMOTE),
        E(ENOLINK),
        E(EADV),
        E(ESRMNT),
        E(ECOMM),
        E(EPROTO),
        E(EMULTIHOP),
        E(EDOTDOT),
        E(EBADMSG),
        E(EOVERFLOW),
        E(ENOTUNIQ),
        E(EBADFD),
        E(EREMCHG),
        E(ELIBACC),
        E(ELIBBAD),
        E(ELIBSCN),
        E(ELIBMAX),
        E(ELIBEXEC),
        E(EILSEQ),
        E(ERESTART),
        E(ESTRPIPE),
        E(EUSERS),
        E(ENOTSOCK),
        E(EDESTADDRREQ),
        E(EMSGSIZE),
        E(EPROTOTYPE),
        E(ENOPROTOOPT),
        E(EPROTONOSUPPORT),
        E(ESOCKTNOSUPPORT),
        E(EOPNOTSUPP),
        E(EPFNOSUPPORT),
        E(EAFNOSUPPORT),
        E(EADDRINUSE),
        E(EADDRNOTAVAIL),
        E(ENETDOWN),
        E(ENETUNREACH),
        E(ENETRESET),
        E(ECONNABORTED),
        E(ECONNRESET),
        E(ENOBUFS),
        E(EISCONN),
        E(ENOTCONN),
        E(ESHUTDOWN),
        E(ETOOMANYREFS),
        E(ETIMEDOUT),
        E(ECONNREFUSED),
        E(EHOSTDOWN),
        E(EHOSTUNREACH),
        E(EALREADY),
        E(EINPROGRESS),
        E(ESTALE),
        E(EUCLEAN),
        E(ENOTNAM),
        E(ENAVAIL),
        E(EISNAM),
        E(EREMOTEIO),
        E(EDQUOT),
        E(ENOMEDIUM),
        E(EMEDIUMTYPE),
        E(ECANCELED),
        E(ENOKEY),
        E(EKEYEXPIRED),
        E(EKEYREVOKED),
        E(EKEYREJECTED),
        E(EOWNERDEAD),
        E(ENOTRECOVERABLE),
        E(ERFKILL),
        E(EHWPOISON),
#if EDEADLOCK != EDEADLK
        /* Only some architectures (not x86_64) give EDEADLOCK a number of its own. */
        E(EDEADLOCK),
#endif
};

#if defined(__x86_64__)
_Static_assert(ELEMENTSOF(errno_names) == 134, "x86_64 errno values end at EHWPOISON (133)");
#endif

/* Kernel-internal codes (include/linux/errno.h); they never reach userspace via syscalls. */
#define KERNEL_ERRNO_BASE 512
#define K(x, n)           [(n)-KERNEL_ERRNO_BASE] = #x

static const char *const kernel_errno_names[] = {
        K(ERESTARTSYS, 512),
        K(ERESTARTNOINTR, 513),
        K(ERESTARTNOHAND, 514),
        K(ENOIOCTLCMD, 515),
        K(ERESTART_RESTARTBLOCK, 516),
        K(EPROBE_DEFER, 517),
        K(EOPENSTALE, 518),
        K(ENOPARAM, 519),
        K(EBADHANDLE, 521),
        K(ENOTSYNC, 522),
        K(EBADCOOKIE, 523),
        K(ENOTSUPP, 524),
        K(ETOOSMALL, 525),
        K(ESERVERFAULT, 526),
        K(EBADTYPE, 527),
        K(EJUKEBOX, 528),
        K(EIOCBQUEUED, 529),
        K(ERECALLCONFLICT, 530),
};

_Static_assert(ELEMENTSOF(errno_names) <= KERNEL_ERRNO_BASE, "userspace and kernel errno ranges overlap");

static const struct {
        const char *name;
        int value;
} errno_aliases[] = {
        {"EWOULDBLOCK", EWOULDBLOCK},
        {"EDEADLOCK", EDEADLOCK},
        {"ENOTSUP", ENOTSUP},
};

const char *errno_name(int err)
{
        /* Negate in unsigned arithmetic: -INT_MIN would overflow int. */
        unsigned int u = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

        if (u < ELEMENTSOF(errno_names))
                return errno_names[u];
        if (u >= KERNEL_ERRNO_BASE && u - KERNEL_ERRNO_BASE < ELEMENTSOF(kernel_errno_names))
                return kernel_errno_names[u - KERNEL_ERRNO_BASE];
        return NULL;
}

int errno_from_name(const char *name)
{
        size_t i;

        if (!name)
                return -EINVAL;
        for (i = 0; i < ELEMENTSOF(errno_names); i++)
                if (errno_names[i] && strcmp(errno_names[i], name) == 0)
                        return (int)i;
        for (i = 0; i < ELEMENTSOF(kernel_errno_names); i++)
                if (kernel_errno_names[i] && strcmp(kernel_errno_names[i], name) == 0)
                        return (int)(i + KERNEL_ERRNO_BASE);
        for (i = 0; i < ELEMENTSOF(errno_aliases); i++)
                if (strcmp(errno_aliases[i].name, name) == 0)
                        return errno_aliases[i].value;
        return -EINVAL;
}

/*
 * Signal numbers are fixed to the x86_64 layout the daemon documents, rather
 * than taken from <signal.h>, so names do not shift if built elsewhere.
 */
static const char *const signal_names[] = {
        [1] = "SIGHUP",     [2] = "SIGINT",   [3] = "SIGQUIT",   [4] = "SIGILL",   [5] = "SIGTRAP",
        [6] = "SIGABRT",    [7] = "SIGBUS",   [8] = "SIGFPE",    [9] = "SIGKILL",  [10] = "SIGUSR1",
        [11] = "SIGSEGV",   [12] = "SIGUSR2", [13] = "SIGPIPE",  [14] = "SIGALRM", [15] = "SIGTERM",
        [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",  [19] = "SIGSTOP", [20] = "SIGTSTP",
        [21] = "SIGTTIN",   [22] = "SIGTTOU", [23] = "SIGURG",   [24] = "SIGXCPU", [25] = "SIGXFSZ",
        [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO",   [30] = "SIGPWR",
        [31] = "SIGSYS",
};
_Static_assert(ELEMENTSOF(signal_names) == 32, "classic signals are 1..31");

#if defined(__x86_64__)
_Static_assert(SIGBUS == 7 && SIGUSR1 == 10 && SIGSTKFLT == 16 && SIGIO == 29 && SIGPWR == 30 &&
                       SIGSYS == 31,
               "signal table assumes the x86_64 numbering");
#endif

/* glibc reserves 32 and 33 for its threading, so SIGRTMIN is 34 as userspace sees it. */
#define RT_MIN 34
#define RT_MAX 64
/* bash switches from SIGRTMIN+n to SIGRTMAX-n at the midpoint. */
#define RT_MID ((RT_MIN + RT_MAX) / 2)
_Static_assert(RT_MID == 49, "SIGRTMIN+15 is the last SIGRTMIN-relative name");

/* Long enough for "SIG-2147483648" and "SIGRTMIN+15". */
_Static_assert(sizeof("SIG-2147483648") <= 16, "signal_name buffer too small");

const char *signal_name(int sig, char buf[static 16])
{
        if (sig > 0 && (unsigned int)sig < ELEMENTSOF(signal_names))
                return signal_names[sig];
        if (sig == RT_MIN)
                return "SIGRTMIN";
        if (sig == RT_MAX)
                return "SIGRTMAX";
        if (sig > RT_MIN && sig <= RT_MID)
                snprintf(buf, 16, "SIGRTMIN+%d", sig - RT_MIN);
        else if (sig > RT_MID && sig < RT_MAX)
                snprintf(buf, 16, "SIGRTMAX-%d", RT_MAX - sig);
        else
                snprintf(buf, 16, "SIG%d", sig);
        return buf;
}
