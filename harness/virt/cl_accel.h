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

/* The libvirt domain type for a trial boot of @kernel with @initrd (a
 * crashlab image: its agent answers crashlab.mode=probe): "kvm" or "qemu"
 * (TCG). Never fails. */
const char *cl_accel_pick(const char *kernel, const char *initrd, int verbose);

#endif
