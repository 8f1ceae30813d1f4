/*
 * cl_json.h - strict JSON loading for crashlab's input files (matrix,
 * candidate manifest, scenario, remediation) and the reports it reads back.
 *
 * Every error is one line naming the file and the problem, with jansson's
 * line and column for syntax errors, and returns CL_EINPUT.
 *
 * An input object is described once, by a table of its fields: each key's
 * name, JSON type, whether it is required, and where its value goes (an
 * offset into a struct of values borrowed from the JSON, whose member is
 * named like the key). cl_json_fields() refuses a key the table does not
 * list, naming the file and the object's path ("m.json: cells[2].image:
 * unknown key \"sha\""), so a typo in an input is an error rather than a
 * silently ignored setting, and every key listed is checked and stored.
 *
 *   struct unit_in { const char *name, *file; long mode; };
 *   static const struct cl_json_field unit_fields[] = {
 *       CL_JSON_FIELD(struct unit_in, name, CL_JSON_STRING, 1),
 *       CL_JSON_FIELD(struct unit_in, file, CL_JSON_STRING, 0),
 *       CL_JSON_RANGE(struct unit_in, mode, 0, 0, 07777),
 *       { 0 } };
 *   struct unit_in in = { .file = "default" };
 *   rc = cl_json_fields(&in, path, "install.units[0]", obj, unit_fields);
 */
#ifndef CL_JSON_H
#define CL_JSON_H

#include "cl_token.h"

#include <jansson.h>
#include <stddef.h>

/* What a key's value must be, and the C type of the member it goes to. */
enum cl_json_type {
	CL_JSON_STRING = 0, /* a non-empty string without NUL: const char * (borrowed) */
	CL_JSON_INT,        /* an integer in [min, max]: long */
	CL_JSON_NUMBER,     /* any number in [min, max]: double */
	CL_JSON_BOOL,       /* true or false: int (1 or 0) */
	CL_JSON_OBJECT,     /* an object: json_t * (borrowed) */
	CL_JSON_ARRAY,      /* an array: json_t * (borrowed) */
	CL_JSON_ANY,        /* any value, the parser checks it: json_t * (borrowed) */
	CL_JSON_TYPE_LAST
};

struct cl_json_field {
	const char *name;       /* the key; NULL ends a table */
	enum cl_json_type type;
	int required;           /* absent: "missing" error; else the member keeps its value */
	long min, max;          /* CL_JSON_INT and CL_JSON_NUMBER: the range allowed */
	size_t offset;          /* where the value goes in cl_json_fields' @out */
};

/* 1 when @member of struct @st has the C type @type stores (see enum cl_json_type). */
#define CL_JSON_CTYPE_OK(st, member, type)                                             \
	_Generic(((st *)0)->member, const char *: (type) == CL_JSON_STRING,            \
		 long: (type) == CL_JSON_INT, double: (type) == CL_JSON_NUMBER,        \
		 int: (type) == CL_JSON_BOOL, json_t *: (type) >= CL_JSON_OBJECT)
/* offsetof(st, member), refused at compile time when the member's type does not fit @type. */
#define CL_JSON_OFFSET(st, member, type)                                               \
	(offsetof(st, member) + 0 * sizeof(char[CL_JSON_CTYPE_OK(st, member, type) ? 1 : -1]))
/* A table row for the key named like @member of struct @st. */
#define CL_JSON_FIELD(st, member, type, required)                                      \
	{ #member, (type), (required), 0, 0, CL_JSON_OFFSET(st, member, type) }
/* An integer key in [min, max]. */
#define CL_JSON_RANGE(st, member, required, min, max)                                  \
	{ #member, CL_JSON_INT, (required), (min), (max), CL_JSON_OFFSET(st, member, CL_JSON_INT) }
/* A number key in [min, max]. */
#define CL_JSON_REAL(st, member, required, min, max)                                   \
	{ #member, CL_JSON_NUMBER, (required), (min), (max),                           \
	  CL_JSON_OFFSET(st, member, CL_JSON_NUMBER) }

/* Load @path; on success *out is a new reference to an object. */
int cl_json_load(json_t **out, const char *path);
/*
 * @obj (at @what in @path) must be an object whose keys are all in @fields
 * (ended by a row with a NULL name); each value found is checked against its
 * row and stored at @out + offset; an absent key leaves its member as it
 * was, so the caller fills in the defaults first. Borrowed values live as
 * long as @obj. 0 or CL_EINPUT: the first unknown key, then the first row
 * (in table order) that is missing or of the wrong type or range.
 */
int cl_json_fields(void *out, const char *path, const char *what, json_t *obj,
		   const struct cl_json_field *fields);

#endif
