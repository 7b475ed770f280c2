// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmcheck: the /init of a throwaway virtual machine booting another kernel (test_kernel.py boots Debian 12's
 * own 6.1 with it): loads and attaches execauditd's BPF programs there, turns capture on, makes a
 * successful exec, a failed one and the exec of a script, and prints what the programs sent, one line per
 * event, then powers the machine off. Statically linked: the machine has nothing else.
 *
 *   RESULT load|attach|settings N      0 or a negative errno
 *   EVENT exec|exec_failed filename=F exe=E argc=N
 *   EVENT exit code=N
 *   RESULT done
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "execaudit.h"
#include "execaudit.skel.h"

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
        return level == LIBBPF_DEBUG ? 0 : vprintf(fmt, ap);
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
        const struct ea_header *h = data;

        (void)ctx, (void)cpu;
        if (size < sizeof(*h))
                return;
        if ((h->type == EA_EV_EXEC || h->type == EA_EV_EXEC_FAILED) && size >= sizeof(struct ea_exec)) {
                const struct ea_exec *ev = data;

                if (sizeof(*ev) + ev->filename_len + ev->path_len[EA_PATH_EXE] > size)
                        return;
                printf("EVENT %s filename=%.*s exe=%.*s argc=%u\n",
                       h->type == EA_EV_EXEC ? "exec" : "exec_failed", (int)ev->filename_len, ev->data,
                       (int)ev->path_len[EA_PATH_EXE], ev->data + ev->filename_len, ev->argc);
        } else if (h->type == EA_EV_EXIT && size >= sizeof(struct ea_exit)) {
                printf("EVENT exit code=%d\n", ((const struct ea_exit *)data)->exit_code);
        }
}

static void run(const char *path, const char *arg)
{
        pid_t pid = fork();
        int status;

        if (pid == 0) {
                execl(path, path, arg, (char *)NULL);
                _exit(127);
        }
        if (pid > 0)
                waitpid(pid, &status, 0);
}

static void machine(void)
{
        struct ea_settings set = {.capture = EA_CAP_FAILED_EXECS | EA_CAP_EXITS, .max_args_bytes = 32768};
        struct perf_buffer *pb = NULL;
        struct execaudit *skel;
        __u32 zero = 0;
        int fd, r;

        mount("proc", "/proc", "proc", 0, NULL);
        mount("sysfs", "/sys", "sysfs", 0, NULL);
        mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
        libbpf_set_print(print);
        skel = execaudit__open();
        r = skel ? execaudit__load(skel) : -errno;
        printf("RESULT load %d\n", r);
        if (r == 0) {
                r = execaudit__attach(skel);
                printf("RESULT attach %d\n", r);
        }
        if (r == 0) {
                r = bpf_map_update_elem(bpf_map__fd(skel->maps.settings), &zero, &set, 0) < 0 ? -errno : 0;
                printf("RESULT settings %d\n", r);
        }
        if (r == 0)
                pb = perf_buffer__new(bpf_map__fd(skel->maps.events), 64, on_sample, NULL, NULL, NULL);
        if (pb) {
                fd = open("/script", O_WRONLY | O_CREAT | O_TRUNC, 0755);
                if (fd >= 0 && write(fd, "#!/init\n", 8) == 8)
                        close(fd);
                run("/init", "child");
                run("/nonexistent", "child");
                run("/script", "child");
                for (int i = 0; i < 10; i++)
                        perf_buffer__poll(pb, 100);
                perf_buffer__free(pb);
        }
        execaudit__destroy(skel);
        printf("RESULT done\n");
}

int main(int argc, char **argv)
{
        (void)argv;
        if (argc > 1) /* one of the execs above */
                return 3;
        setvbuf(stdout, NULL, _IONBF, 0);
        machine();
        sync();
        reboot(RB_POWER_OFF);
        return 0;
}
