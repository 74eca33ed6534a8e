; References in JavaScript (.js, .jsx, .mjs, .cjs).
; Captures: @reference.<kind> on the name at the use site (see queries/README.md).
; The first pattern that captures a node wins; a definition's own name is never a reference.

; --- calls ------------------------------------------------------------------------------------

(call_expression
  function: (identifier) @reference.call)

(call_expression
  function: (member_expression
    property: [(property_identifier) (private_property_identifier)] @reference.call))

(new_expression
  constructor: (identifier) @reference.call)

(new_expression
  constructor: (member_expression
    property: (property_identifier) @reference.call))

(decorator
  (identifier) @reference.call)

(decorator
  (member_expression
    property: (property_identifier) @reference.call))

; --- JSX --------------------------------------------------------------------------------------
; Lower-case names are intrinsic elements (`<div>`), not symbols.

((jsx_self_closing_element
  name: (identifier) @reference.jsx)
  (#match? @reference.jsx "^[A-Z]"))

((jsx_opening_element
  name: (identifier) @reference.jsx)
  (#match? @reference.jsx "^[A-Z]"))

(jsx_self_closing_element
  name: (member_expression
    property: (property_identifier) @reference.jsx))

(jsx_opening_element
  name: (member_expression
    property: (property_identifier) @reference.jsx))

; --- types (JavaScript has none but the classes it extends) ----------------------------------

(class_heritage
  (identifier) @reference.type)

(class_heritage
  (member_expression
    property: (property_identifier) @reference.type))

; --- imports ----------------------------------------------------------------------------------

(import_specifier
  name: (identifier) @reference.import)

(import_clause
  (identifier) @reference.import)

(namespace_import
  (identifier) @reference.import)

; --- other uses of a name as a value ---------------------------------------------------------

(export_statement
  value: (identifier) @reference.identifier)

(export_specifier
  name: (identifier) @reference.identifier)

(jsx_expression
  (identifier) @reference.identifier)

(arguments
  (identifier) @reference.identifier)

(shorthand_property_identifier) @reference.identifier

(variable_declarator
  value: (identifier) @reference.identifier)

(pair
  value: (identifier) @reference.identifier)

(assignment_expression
  right: (identifier) @reference.identifier)

(return_statement
  (identifier) @reference.identifier)

(member_expression
  object: (identifier) @reference.identifier)

((identifier) @reference.identifier
  (#match? @reference.identifier "^[A-Z][A-Z0-9_]*[A-Z0-9]$"))

; --- CSS classes the code applies -------------------------------------------------------------
; What ties a style sheet's rule to the code that renders it: `el.classList.add("capture")`,
; `el.className = "square light"` (template strings too), `className="card"` in JSX, `clsx(…)`.
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

(jsx_attribute
  (property_identifier) @_attr
  [
    (string (string_fragment) @words.class)
    (jsx_expression (string (string_fragment) @words.class))
    (jsx_expression (template_string (string_fragment) @words.class))
  ]
  (#any-of? @_attr "className" "class"))

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

(jsx_attribute
  (property_identifier) @_attr
  (jsx_expression
    [
      (ternary_expression (string (string_fragment) @words.class))
      (binary_expression right: (string (string_fragment) @words.class))
      (template_string
        (template_substitution
          [
            (ternary_expression (string (string_fragment) @words.class))
            (binary_expression right: (string (string_fragment) @words.class))
          ]))
    ])
  (#any-of? @_attr "className" "class"))
