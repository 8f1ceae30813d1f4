/*
 * cl_report_bpf.h - a cell's "bpf" object in report.json: each program the
 * manifest names as the kernel listed it (id, type, attached where, run
 * count, run time and cost per event, instructions the verifier processed
 * and the headroom to its limit), the maps, whether the kernel had BTF and
 * counted runs, and, when the candidate did not start, the end of its
 * output with the reason found in it (a verifier's log).
 */
#ifndef CL_REPORT_BPF_H
#define CL_REPORT_BPF_H

#include "cl_candidate.h"
#include "cl_evidence.h"

#include <jansson.h>

/* A new object; NULL when the candidate has no "bpf" section. */
json_t *cl_report_bpf_json(const struct cl_evidence *ev, const struct cl_candidate *cand);

#endif
