/*
 * Unit test for daemon/pinlock.c: one daemon per PinPath. The lock is real flock(2) on a real directory
 * (any filesystem will do; the daemon's is bpffs), and its holder is read back from the real /proc/locks.
 */
#include "pinlock.h"
#include "check.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What pinlock_take() returns in another process (a second daemon), as its exit status: 0 when it got the
 * lock, 1 for -EBUSY, 2 otherwise; + 10 when that process then sees holder (0: itself) holding it. */
static int take_elsewhere(const char *dir, pid_t holder)
{
        int status;
        pid_t pid = fork();

        if (pid == 0) {
                bool made;
                int fd = pinlock_take(dir, true, &made);

                pid_t want = holder ? holder : getpid();

                _exit((fd >= 0 ? 0 : fd == -EBUSY ? 1 : 2) + (pinlock_holder(dir) == want ? 10 : 0));
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

int main(void)
{
        char base[] = "/tmp/test-pinlock-XXXXXX", dir[64], name[64];
        struct stat st;
        bool made = true;
        int a, b;

        if (!mkdtemp(base)) {
                FAIL("mkdtemp: %m");
                return check_summary("test-pinlock");
        }
        snprintf(dir, sizeof(dir), "%s/pins", base);

        set_case("no directory, not to be created (--remove-pins without pins)");
        CHECK_NUM(pinlock_take(dir, false, &made), -ENOENT);
        CHECK(!made);
        CHECK_NUM(pinlock_holder(dir), 0);
        CHECK_NUM(pinlock_held(dir), 0);

        set_case("the first daemon creates PinPath and holds it");
        a = pinlock_take(dir, true, &made);
        CHECK(a >= 0);
        CHECK_WHY(made, "the directory was made by this call");
        CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700);
        CHECK_NUM(pinlock_holder(dir), getpid());
        pinlock_holder_name(dir, name, sizeof(name));
        {
                char want[64];

                snprintf(want, sizeof(want), "PID %d", (int)getpid());
                CHECK_STR(name, want);
        }

        set_case("a second daemon, and --remove-pins, are refused while it runs");
        CHECK_NUM(take_elsewhere(dir, getpid()), 11);
        set_case("held, whoever holds it (--status when /proc/locks does not show the holder)");
        CHECK_NUM(pinlock_held(dir), 1);
        CHECK_WHY(take_elsewhere(dir, getpid()) == 11, "asking does not let go of it");
        CHECK_WHY(pinlock_take(dir, false, NULL) == -EBUSY, "another open of it in this very process too");

        set_case("the holder's directory removed: a new one is a new PinPath");
        CHECK(rmdir(dir) == 0);
        CHECK_NUM(pinlock_holder(dir), 0);
        b = pinlock_take(dir, true, &made);
        CHECK_WHY(b >= 0, "the lock of a removed directory does not hold the path");
        CHECK(made);
        if (b >= 0)
                close(b);

        set_case("released when the holder closes it (or exits)");
        close(a);
        CHECK_NUM(pinlock_holder(dir), 0);
        pinlock_holder_name(dir, name, sizeof(name));
        CHECK_STR(name, "a process not visible here");
        CHECK_NUM(pinlock_held(dir), 0);
        CHECK_WHY(take_elsewhere(dir, 0) == 10, "asking whether it is held leaves no lock behind");
        a = pinlock_take(dir, false, &made);
        CHECK_WHY(a >= 0 && !made, "an existing directory, not made again");
        if (a >= 0)
                close(a);

        rmdir(dir);
        rmdir(base);
        return check_summary("test-pinlock");
}
