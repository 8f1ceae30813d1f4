/*
 * cl_coverage.h - IPC events that make every criterion of a content file be
 * evaluated.
 *
 * Every test before July 2024 used a wildcard in field 21, so the criterion
 * that crashed was never evaluated. For the reference sensor's content
 * format, crashlab reads each template instance's criteria (with the
 * sensor's own parser, sensor/kmod/cl_content.c) and picks, for each, one
 * FIFO or unix-socket event whose event type, name and path satisfy all of
 * them: then every criterion of the instance is reached and evaluated (a
 * criterion is only reached when the ones before it matched). The agent
 * drives these events after the scenario's workload; the sensor reports
 * which criteria and fields were evaluated, and a cell that left one
 * unexercised cannot pass (cl_verdict.c). An instance no such event can
 * satisfy (a criterion on a field crashlab does not drive, criteria that
 * contradict each other) is listed with the reason.
 */
#ifndef CL_COVERAGE_H
#define CL_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#define CL_MAX_COV_EVENTS 64
#define CL_MAX_COV_MISSED 16

struct cl_cov_event {
	int unix_socket;      /* 0: a FIFO (created, then opened), 1: a unix-socket connect */
	char dir[64];         /* absolute guest directory */
	char name[96];        /* object name, [A-Za-z0-9._-] */
	uint32_t instance;    /* the instance id it was chosen for */
};

struct cl_cov_missed {
	uint32_t instance;
	char why[120];
};

struct cl_cov_plan {
	struct cl_cov_event ev[CL_MAX_COV_EVENTS];
	int n;
	struct cl_cov_missed missed[CL_MAX_COV_MISSED];
	int nmissed;
};

/*
 * Add to @out the events that exercise every instance of content @data
 * (@len bytes), skipping events already there. -1 when @data is not content
 * of the reference format (or its parser refuses it); 0 otherwise.
 */
int cl_coverage_plan(struct cl_cov_plan *out, const unsigned char *data, size_t len);

#endif
