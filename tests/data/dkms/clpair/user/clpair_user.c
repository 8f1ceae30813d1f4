// SPDX-License-Identifier: GPL-2.0
/* clpair_user: loads only after clpair_core (it calls clpair_core_hello). */
#include <linux/module.h>

int clpair_core_hello(void);

static int __init clpair_user_init(void)
{
	return clpair_core_hello();
}

static void __exit clpair_user_exit(void)
{
}

module_init(clpair_user_init);
module_exit(clpair_user_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("crashlab test: DKMS module that needs clpair_core");
