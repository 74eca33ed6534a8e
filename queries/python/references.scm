; References in Python (.py).
; Captures: @reference.<kind> on the name at the use site (see queries/README.md).
; The first pattern that captures a node wins; a definition's own name is never a reference.

; --- calls ------------------------------------------------------------------------------------

; `main()`, `Todo(…)`
(call
  function: (identifier) @reference.call)

; `df.groupby(…)`, `pd.read_csv(…)`
(call
  function: (attribute
    attribute: (identifier) @reference.call))

; `@dataclass`, `@app.route` (decorators with arguments are calls, matched above)
(decorator
  (identifier) @reference.call)

(decorator
  (attribute
    attribute: (identifier) @reference.call))

; --- types ------------------------------------------------------------------------------------

; `class Todo(Base)`
(class_definition
  superclasses: (argument_list
    (identifier) @reference.type))

(class_definition
  superclasses: (argument_list
    (attribute
      attribute: (identifier) @reference.type)))

; Annotations: `df: DataFrame`, `-> pd.Series`, `list[Todo]`, `Optional[Todo]`
(type
  (identifier) @reference.type)

(type
  (attribute
    attribute: (identifier) @reference.type))

(generic_type
  (identifier) @reference.type)

; --- imports ----------------------------------------------------------------------------------

; `from pandas import DataFrame, Series as S` (the imported name, not the alias)
(import_from_statement
  name: (dotted_name
    (identifier) @reference.import .))

(import_from_statement
  name: (aliased_import
    name: (dotted_name
      (identifier) @reference.import .)))

; `import pandas as pd`, `import os.path` (the module's full dotted name)
(import_statement
  name: (dotted_name) @reference.import)

(import_statement
  name: (aliased_import
    name: (dotted_name) @reference.import))

; --- other uses of a name as a value ---------------------------------------------------------

; `pd` in `pd.read_csv`, `df` in `df.columns` (not `self`/`cls`)
((attribute
  object: (identifier) @reference.identifier)
  (#not-any-of? @reference.identifier "self" "cls"))

; Values handed on: `run(helper)`, `key=score`
(argument_list
  (identifier) @reference.identifier)

(keyword_argument
  value: (identifier) @reference.identifier)

; `SCREAMING_CASE` constants wherever they are used
((identifier) @reference.identifier
  (#match? @reference.identifier "^_*[A-Z][A-Z0-9_]*[A-Z0-9]$"))
