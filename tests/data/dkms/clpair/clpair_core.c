// SPDX-License-Identifier: GPL-2.0
/* clpair_core: a parameter, and a symbol clpair_user links against. */
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *greeting = "unset";
module_param(greeting, charp, 0444);
MODULE_PARM_DESC(greeting, "reported back through /sys/module/clpair_core/parameters");

int clpair_core_hello(void)
{
	pr_info("clpair_core: hello from %s\n", greeting);
	return 0;
}
EXPORT_SYMBOL_GPL(clpair_core_hello);

static int __init clpair_core_init(void)
{
	return 0;
}

static void __exit clpair_core_exit(void)
{
}

module_init(clpair_core_init);
module_exit(clpair_core_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("crashlab test: DKMS module with a parameter and an exported symbol");
