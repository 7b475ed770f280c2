// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"

/* The calling thread's sets; cap's word and bit in them. -EINVAL for a capability out of range. */
static int caps_get(int cap, struct __user_cap_header_struct *h, struct __user_cap_data_struct d[2],
                    int *word, __u32 *bit)
{
        if (cap < 0 || cap >= 64)
                return -EINVAL;
        *h = (struct __user_cap_header_struct){.version = _LINUX_CAPABILITY_VERSION_3};
        *word = cap / 32;
        *bit = 1u << (cap % 32);
        return syscall(SYS_capget, h, d) < 0 ? -errno : 0;
}

bool caps_have(int cap)
{
        struct __user_cap_header_struct h;
        struct __user_cap_data_struct d[2] = {};
        __u32 bit;
        int i;

        return caps_get(cap, &h, d, &i, &bit) == 0 && (d[i].effective & bit);
}

int caps_drop(int cap)
{
        struct __user_cap_header_struct h;
        struct __user_cap_data_struct d[2] = {};
        __u32 bit;
        int i, r;

        r = caps_get(cap, &h, d, &i, &bit);
        if (r < 0)
                return r;
        if (!(d[i].permitted & bit))
                return 0;
        d[i].effective &= ~bit;
        d[i].permitted &= ~bit;
        d[i].inheritable &= ~bit;
        return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}
