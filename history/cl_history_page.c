/*
 * cl_history_page.c - `crashlab history --html FILE`: one self-contained
 * page over the recorded runs. A grid of cells (rows) by runs (columns,
 * oldest first), each square the cell's verdict in that run, its title on
 * hover; then the crash groups across runs. Everything in it came from
 * guests or from files people wrote: the XML writer escapes all of it.
 */
#include "cl_history.h"
#include "cl_html.h"
#include "cl_util.h"
#include "cl_xmlw.h"

#include <stdlib.h>
#include <string.h>

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* <td class="v-VERDICT" title="TITLE">VERDICT</td>, or an empty square. */
static void square(xmlTextWriterPtr w, json_t *c)
{
	char *cls = c ? cl_sprintf("v-%s", str(c, "verdict")) : NULL;

	xmlTextWriterStartElement(w, CL_XC("td"));
	if (c) {
		cl_sanitize(cls); /* a class name from the database: nothing but printable */
		for (char *p = cls; *p; p++)
			*p = (*p == ' ' || *p == '"') ? '_' : *p;
		cl_xmlw_attr(w, "class", cls);
		cl_xmlw_attr(w, "title", str(c, "title"));
		cl_xmlw_text(w, str(c, "verdict"));
	}
	xmlTextWriterFullEndElement(w);
	free(cls);
}

/* The cell row of @cell in run @run among @cells (sorted by cell, run), or NULL. */
static json_t *find(json_t *cells, const char *cell, json_int_t run)
{
	json_t *c;
	size_t i;

	json_array_foreach(cells, i, c)
		if (!strcmp(str(c, "cell"), cell) &&
		    json_integer_value(json_object_get(c, "run")) == run)
			return c;
	return NULL;
}

static void grid(xmlTextWriterPtr w, json_t *runs, json_t *cells)
{
	size_t n = json_array_size(runs), i;
	const char *last = NULL;
	json_t *c;

	cl_xmlw_el(w, "h2", "Cells by run");
	xmlTextWriterStartElement(w, CL_XC("table"));
	cl_xmlw_attr(w, "class", "grid");
	xmlTextWriterStartElement(w, CL_XC("tr"));
	cl_xmlw_el(w, "th", "cell");
	for (i = n; i-- > 0;) { /* oldest first */
		json_t *r = json_array_get(runs, i);
		char *head = cl_sprintf("run %lld", (long long)json_integer_value(json_object_get(r, "run")));

		xmlTextWriterStartElement(w, CL_XC("th"));
		cl_xmlw_attr(w, "title", str(r, "started"));
		cl_xmlw_text(w, head);
		xmlTextWriterFullEndElement(w);
		free(head);
	}
	xmlTextWriterFullEndElement(w);
	json_array_foreach(cells, i, c) {
		if (last && !strcmp(last, str(c, "cell")))
			continue; /* one row per cell */
		last = str(c, "cell");
		xmlTextWriterStartElement(w, CL_XC("tr"));
		cl_xmlw_el(w, "th", last);
		for (size_t k = n; k-- > 0;)
			square(w, find(cells, last, json_integer_value(json_object_get(
							   json_array_get(runs, k), "run"))));
		xmlTextWriterFullEndElement(w);
	}
	xmlTextWriterFullEndElement(w);
}

static void crash_groups(xmlTextWriterPtr w, json_t *groups)
{
	static const char *const cols[] = { "title", "first_seen", "last_seen", "runs", "cells" };
	json_t *g;
	size_t i;

	cl_xmlw_el(w, "h2", "Crash groups");
	xmlTextWriterStartElement(w, CL_XC("table"));
	cl_xmlw_attr(w, "class", "groups");
	xmlTextWriterStartElement(w, CL_XC("tr"));
	for (size_t k = 0; k < 5; k++)
		cl_xmlw_el(w, "th", cols[k]);
	cl_xmlw_el(w, "th", "kernels");
	xmlTextWriterFullEndElement(w);
	json_array_foreach(groups, i, g) {
		xmlTextWriterStartElement(w, CL_XC("tr"));
		for (size_t k = 0; k < 5; k++) {
			json_t *v = json_object_get(g, cols[k]);
			char *text = json_is_string(v) ? cl_xstrdup(json_string_value(v))
						       : json_dumps(v, JSON_ENCODE_ANY);

			cl_xmlw_el(w, "td", text ? text : "");
			free(text);
		}
		char *kernels = json_dumps(json_object_get(g, "kernels"), JSON_ENCODE_ANY);

		cl_xmlw_el(w, "td", kernels ? kernels : "");
		free(kernels);
		xmlTextWriterFullEndElement(w);
	}
	xmlTextWriterFullEndElement(w);
}

static void page(xmlTextWriterPtr w, json_t *runs, json_t *cells, json_t *groups)
{
	xmlTextWriterWriteDTD(w, CL_XC("html"), NULL, NULL, NULL);
	xmlTextWriterStartElement(w, CL_XC("html"));
	cl_xmlw_attr(w, "lang", "en");
	xmlTextWriterStartElement(w, CL_XC("head"));
	xmlTextWriterStartElement(w, CL_XC("meta"));
	cl_xmlw_attr(w, "charset", "utf-8");
	xmlTextWriterEndElement(w);
	cl_xmlw_el(w, "title", "crashlab history");
	cl_xmlw_el(w, "style", cl_html_css); /* the report page's */
	xmlTextWriterFullEndElement(w);
	xmlTextWriterStartElement(w, CL_XC("body"));
	cl_xmlw_el(w, "h1", "crashlab history");
	grid(w, runs, cells);
	crash_groups(w, groups);
	xmlTextWriterFullEndElement(w);
	xmlTextWriterFullEndElement(w);
}

int cl_history_page(struct cl_history *h, int last, const char *path)
{
	json_t *runs = NULL, *cells = NULL, *groups = NULL;
	xmlBufferPtr buf = NULL;
	xmlTextWriterPtr w = NULL;
	int rc = cl_history_grid(h, last, &runs, &cells);

	if (rc == 0)
		rc = cl_history_crashes(h, &groups);
	if (rc == 0 && (!(buf = xmlBufferCreate()) || !(w = xmlNewTextWriterMemory(buf, 0))))
		rc = cl_err_set(CL_EINFRA, "%s: out of memory", path);
	if (rc == 0) {
		page(w, runs, cells, groups);
		rc = cl_xmlw_save(w, buf, path); /* frees both */
	} else if (buf) {
		xmlBufferFree(buf);
	}
	json_decref(runs);
	json_decref(cells);
	json_decref(groups);
	return rc;
}
