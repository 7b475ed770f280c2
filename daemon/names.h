/*
 * names: stable symbolic names for errno values and signal numbers.
 *
 * Journal fields such as EXEC_ERRNO and EXEC_EXIT_SIGNAL must read the same on
 * every host and in every locale so that queries and alerts can match on
 * them; strerror() and strsignal() are translated and worded differently
 * between libcs, so static tables are used instead.
 */
#pragma once

/*
 * "ENOENT" for 2 or -2, including kernel-internal codes (512..530) that can
 * leak into tracepoints. Aliases resolve to one name: EAGAIN (not
 * EWOULDBLOCK), EDEADLK (not EDEADLOCK), EOPNOTSUPP (not ENOTSUP).
 * NULL for values without a name (0, 41, 58, 520, > 530, ...).
 */
const char *errno_name(int err);

/*
 * x86_64 Linux signal names, realtime ones spelled like bash's `kill -l`
 * (SIGRTMIN, SIGRTMIN+1 .. SIGRTMAX-1, SIGRTMAX). Anything else becomes
 * "SIG<number>" written into buf. Returns a static string or buf.
 */
const char *signal_name(int sig, char buf[static 16]);

/* Inverse of errno_name(), also accepting the alias names: "ENOENT" -> 2. -EINVAL if unknown. */
int errno_from_name(const char *name);
