// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"

bool caps_have(int cap)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {};

        if (cap < 0 || cap >= 64 || syscall(SYS_capget, &h, d) < 0)
                return false;
        return d[cap / 32].effective & (1u << (cap % 32));
}

int caps_drop(int cap)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {};
        const __u32 bit = 1u << (cap % 32);
        const int i = cap / 32;

        if (cap < 0 || cap >= 64)
                return -EINVAL;
        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        if (!(d[i].permitted & bit))
                return 0;
        d[i].effective &= ~bit;
        d[i].permitted &= ~bit;
        d[i].inheritable &= ~bit;
        return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}
