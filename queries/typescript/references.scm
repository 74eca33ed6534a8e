; References in TypeScript (.ts, .mts, .cts). Also the base of tsx/references.scm.
; Captures: @reference.<kind> on the name at the use site (see queries/README.md).
; The first pattern that captures a node wins; a definition's own name is never a reference.

; --- calls ------------------------------------------------------------------------------------

; `useEffect(…)`, `setTodos(…)`
(call_expression
  function: (identifier) @reference.call)

; `this.store.load()`, `api?.get()`, `this.#flush()`
(call_expression
  function: (member_expression
    property: [(property_identifier) (private_property_identifier)] @reference.call))

; `new Foo()`, `new api.Client()`
(new_expression
  constructor: (identifier) @reference.call)

(new_expression
  constructor: (member_expression
    property: (property_identifier) @reference.call))

; `@Injectable` (decorators with arguments are calls, matched above)
(decorator
  (identifier) @reference.call)

(decorator
  (member_expression
    property: (property_identifier) @reference.call))

; --- types ------------------------------------------------------------------------------------

; `class A extends Base`, `extends React.Component`
(extends_clause
  value: (identifier) @reference.type)

(extends_clause
  value: (member_expression
    property: (property_identifier) @reference.type))

; Every type name: annotations, generics, `implements`, `extends` of interfaces, `React.FC`.
(type_identifier) @reference.type

; --- imports ----------------------------------------------------------------------------------

; `import { useEffect, useState as useS } from "react"` (the imported name, not the alias)
(import_specifier
  name: (identifier) @reference.import)

; `import React from "react"`
(import_clause
  (identifier) @reference.import)

; `import * as api from "./api"`
(namespace_import
  (identifier) @reference.import)

; `import fs = require("fs")`
(import_require_clause
  (identifier) @reference.import)

; --- other uses of a name as a value ---------------------------------------------------------

; `export default App;`, `export { helper }`
(export_statement
  value: (identifier) @reference.identifier)

(export_specifier
  name: (identifier) @reference.identifier)

; Functions and values handed on: `useEffect(load, [])`, `items.map(renderItem)`
(arguments
  (identifier) @reference.identifier)

; `{ load, save }`
(shorthand_property_identifier) @reference.identifier

; `const f = load`, `{ onSave: save }`, `x = handler`, `return value`
(variable_declarator
  value: (identifier) @reference.identifier)

(pair
  value: (identifier) @reference.identifier)

(assignment_expression
  right: (identifier) @reference.identifier)

(return_statement
  (identifier) @reference.identifier)

; `React` in `React.memo`, `api` in `api.get`
(member_expression
  object: (identifier) @reference.identifier)

; `SCREAMING_CASE` constants wherever they are used: `fetch(API_URL)`, `n > MAX_ITEMS`
((identifier) @reference.identifier
  (#match? @reference.identifier "^[A-Z][A-Z0-9_]*[A-Z0-9]$"))

; --- CSS classes the code applies -------------------------------------------------------------
; What ties a style sheet's rule to the code that renders it: `el.classList.add("capture")`,
; `el.className = "square light"` (template strings too), `clsx(…)`.
; Every word of the string is a class.

(call_expression
  function: (member_expression
    object: (member_expression
      property: (property_identifier) @_list)
    property: (property_identifier) @_method)
  arguments: (arguments
    (string
      (string_fragment) @words.class))
  (#eq? @_list "classList")
  (#any-of? @_method "add" "remove" "toggle" "replace" "contains"))

(assignment_expression
  left: (member_expression
    property: (property_identifier) @_prop)
  right: [
    (string (string_fragment) @words.class)
    (template_string (string_fragment) @words.class)
  ]
  (#eq? @_prop "className"))

(call_expression
  function: (identifier) @_fn
  arguments: (arguments
    (string
      (string_fragment) @words.class))
  (#any-of? @_fn "clsx" "classNames" "classnames" "cn" "cx"))

; The classes a class expression chooses between: `${light ? "light" : "dark"}` in a template,
; `isSelected && "selected"`, and the keys of `clsx({ selected: isSelected })`.
(assignment_expression
  left: (member_expression
    property: (property_identifier) @_prop)
  right: (template_string
    (template_substitution
      [
        (ternary_expression (string (string_fragment) @words.class))
        (binary_expression right: (string (string_fragment) @words.class))
      ]))
  (#eq? @_prop "className"))

(call_expression
  function: (identifier) @_fn
  arguments: (arguments
    [
      (ternary_expression (string (string_fragment) @words.class))
      (binary_expression right: (string (string_fragment) @words.class))
      (object (pair key: (property_identifier) @words.class))
      (object (pair key: (string (string_fragment) @words.class)))
      (template_string (string_fragment) @words.class)
    ])
  (#any-of? @_fn "clsx" "classNames" "classnames" "cn" "cx"))
