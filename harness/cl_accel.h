/*
 * cl_accel.h - choose KVM or TCG with a bounded trial boot.
 *
 * /dev/kvm can exist and still be unusable (nested KVM here hangs after the
 * BIOS, or aborts on an MSR). So KVM is used only after a trial boot of a
 * real crashlab image reaches the agent within a time limit; otherwise TCG.
 * The answer is cached per host boot (keyed by the boot id). The variable
 * CRASHLAB_ACCEL=kvm|tcg skips the trial.
 */
#ifndef CL_ACCEL_H
#define CL_ACCEL_H

#include "cl_image.h"

/* Returns the libvirt domain type: "kvm" or "qemu" (TCG). Never fails. */
const char *cl_accel_pick(const struct cl_image *img, int verbose);

#endif
