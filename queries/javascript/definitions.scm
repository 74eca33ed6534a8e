; Definitions in JavaScript (.js, .jsx, .mjs, .cjs; the grammar parses JSX).
; Captures: @name, @definition.<kind>, @scope (see queries/README.md).
; The first pattern that captures a node wins: specific patterns come first.

; --- React components -------------------------------------------------------------------------
; `.js` and `.jsx` share this file, and an upper-case function in plain JavaScript may be an
; old-style constructor (`function Person(name) { this.name = name }`). So a component is an
; upper-case function that renders JSX somewhere in its body.

((function_declaration
  name: (identifier) @name) @definition.component
  (#match? @name "^[A-Z]")
  (#has-descendant? @definition.component jsx_element jsx_self_closing_element))

((variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.component
  (#match? @name "^[A-Z]")
  (#has-descendant? @definition.component jsx_element jsx_self_closing_element))

; `const Row = memo((props) => …)`, `forwardRef(function (props, ref) { … })`
((variable_declarator
  name: (identifier) @name
  value: (call_expression
    arguments: (arguments [(arrow_function) (function_expression)]))) @definition.component
  (#match? @name "^[A-Z]")
  (#has-descendant? @definition.component jsx_element jsx_self_closing_element))

; --- functions and function-valued bindings -----------------------------------------------

(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

; `const load = async () => …` at any depth: nested helpers are definitions too.
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(variable_declarator
  name: (identifier) @name
  value: (class)) @definition.class

; `exports.load = function () {}`, `Foo.prototype.bar = () => {}`
(assignment_expression
  left: (member_expression
    property: (property_identifier) @name)
  right: [(arrow_function) (function_expression)]) @definition.function

; --- classes and their members ----------------------------------------------------------------

(class_declaration
  name: (identifier) @name) @definition.class

(class
  name: (identifier) @name) @definition.class

(method_definition
  name: [(property_identifier) (private_property_identifier)] @name) @definition.method

(field_definition
  property: [(property_identifier) (private_property_identifier)] @name
  value: [(arrow_function) (function_expression)]) @definition.method

(field_definition
  property: [(property_identifier) (private_property_identifier)] @name) @definition.field

(pair
  key: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.method

; --- module-level bindings --------------------------------------------------------------------

(program
  (lexical_declaration
    kind: "const"
    (variable_declarator
      name: (identifier) @name) @definition.constant))

(program
  (export_statement
    declaration: (lexical_declaration
      kind: "const"
      (variable_declarator
        name: (identifier) @name) @definition.constant)))

(program
  (lexical_declaration
    kind: "let"
    (variable_declarator
      name: (identifier) @name) @definition.variable))

(program
  (export_statement
    declaration: (lexical_declaration
      kind: "let"
      (variable_declarator
        name: (identifier) @name) @definition.variable)))

(program
  (variable_declaration
    (variable_declarator
      name: (identifier) @name) @definition.variable))

(program
  (export_statement
    declaration: (variable_declaration
      (variable_declarator
        name: (identifier) @name) @definition.variable)))
