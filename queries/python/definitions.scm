; Definitions in Python (.py).
; Captures: @name, @definition.<kind>, @scope (see queries/README.md).
; The first pattern that captures a node wins: specific patterns come first.

(class_definition
  name: (identifier) @name) @definition.class

; A function directly in a class body is a method, decorated (`@staticmethod`, `@property`) or not.
(class_definition
  body: (block
    (function_definition
      name: (identifier) @name) @definition.method))

(class_definition
  body: (block
    (decorated_definition
      definition: (function_definition
        name: (identifier) @name) @definition.method)))

; Everything else `def`/`async def`: module functions and nested helpers.
(function_definition
  name: (identifier) @name) @definition.function

; Class attributes: dataclass and pydantic fields (`title: str`), `done = False`.
(class_definition
  body: (block
    (expression_statement
      (assignment
        left: (identifier) @name) @definition.field)))

; Module-level `MAX_ROWS = 100`: constants by the PEP 8 naming convention…
(module
  (expression_statement
    (assignment
      left: (identifier) @name) @definition.constant)
  (#match? @name "^_*[A-Z][A-Z0-9_]*$"))

; …and any other module-level name (`df = pd.read_csv(…)` in a script).
(module
  (expression_statement
    (assignment
      left: (identifier) @name) @definition.variable))
