; Definitions in TypeScript (.ts, .mts, .cts). Also the base of tsx/definitions.scm.
; Captures: @name, @definition.<kind>, @scope (see queries/README.md).
; The first pattern that captures a node wins: specific patterns come first.

; --- functions and function-valued bindings -----------------------------------------------

(function_declaration
  name: (identifier) @name) @definition.function

(generator_function_declaration
  name: (identifier) @name) @definition.function

; Overload signatures and `declare function`.
(function_signature
  name: (identifier) @name) @definition.function

; `const load = async () => …`, `const f = function () {}` at any depth: nested helpers
; (`handleAdd` inside a component) are definitions too.
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; `const Store = class { … }`
(variable_declarator
  name: (identifier) @name
  value: (class)) @definition.class

; --- classes and their members ----------------------------------------------------------------

(class_declaration
  name: (type_identifier) @name) @definition.class

(abstract_class_declaration
  name: (type_identifier) @name) @definition.class

(class
  name: (type_identifier) @name) @definition.class

(method_definition
  name: [(property_identifier) (private_property_identifier)] @name) @definition.method

(abstract_method_signature
  name: [(property_identifier) (private_property_identifier)] @name) @definition.method

; `handleClick = () => { … }` class fields hold methods.
(public_field_definition
  name: [(property_identifier) (private_property_identifier)] @name
  value: [(arrow_function) (function_expression)]) @definition.method

(public_field_definition
  name: [(property_identifier) (private_property_identifier)] @name) @definition.field

; Object-literal members that are functions: `const api = { load: async () => … }`.
(pair
  key: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.method

; --- types ------------------------------------------------------------------------------------

(interface_declaration
  name: (type_identifier) @name) @definition.interface

(interface_body
  (method_signature
    name: [(property_identifier) (private_property_identifier)] @name) @definition.method)

(interface_body
  (property_signature
    name: [(property_identifier) (private_property_identifier)] @name) @definition.field)

(type_alias_declaration
  name: (type_identifier) @name) @definition.type

(enum_declaration
  name: (identifier) @name) @definition.enum

; `namespace NS { … }` and `declare module "m" { … }`
(internal_module
  name: [(identifier) (nested_identifier)] @name) @definition.module

(module
  name: [(identifier) (nested_identifier)] @name) @definition.module

(module
  name: (string (string_fragment) @name)) @definition.module

; --- module-level bindings --------------------------------------------------------------------
; Only top-level (or exported) bindings: locals inside functions are not symbols.

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
