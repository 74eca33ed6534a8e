; inherits: typescript
; References in TSX (.tsx): JSX elements, then every TypeScript pattern (appended from
; typescript/references.scm).

; `<TodoList />`, `<Layout>…</Layout>` (closing tags are not counted again). Lower-case names are
; intrinsic elements (`<div>`), not symbols.
((jsx_self_closing_element
  name: (identifier) @reference.jsx)
  (#match? @reference.jsx "^[A-Z]"))

((jsx_opening_element
  name: (identifier) @reference.jsx)
  (#match? @reference.jsx "^[A-Z]"))

; `<Foo.Bar />`
(jsx_self_closing_element
  name: (member_expression
    property: (property_identifier) @reference.jsx))

(jsx_opening_element
  name: (member_expression
    property: (property_identifier) @reference.jsx))

; `onClick={handleAdd}`, `{todos}`
(jsx_expression
  (identifier) @reference.identifier)

; `className="card"`, `className={`card ${open ? "open" : ""}`}`: CSS classes the JSX applies.
(jsx_attribute
  (property_identifier) @_attr
  [
    (string (string_fragment) @words.class)
    (jsx_expression (string (string_fragment) @words.class))
    (jsx_expression (template_string (string_fragment) @words.class))
  ]
  (#any-of? @_attr "className" "class"))

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
