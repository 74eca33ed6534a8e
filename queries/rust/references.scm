; References in Rust (.rs).
; Captures: @reference.<kind> on the name at the use site (see queries/README.md).
; The first pattern that captures a node wins; a definition's own name is never a reference.

; --- calls ------------------------------------------------------------------------------------

; `parse()`, `helper::<u8>()`
(call_expression
  function: (identifier) @reference.call)

(call_expression
  function: (generic_function
    function: (identifier) @reference.call))

; `self.bump()`, `iter.collect::<Vec<_>>()`
(call_expression
  function: (field_expression
    field: (field_identifier) @reference.call))

(call_expression
  function: (generic_function
    function: (field_expression
      field: (field_identifier) @reference.call)))

; `Vec::new()` → `new` (and `Vec`, below), `std::mem::swap()` → `swap`
(call_expression
  function: (scoped_identifier
    name: (identifier) @reference.call))

(call_expression
  function: (generic_function
    function: (scoped_identifier
      name: (identifier) @reference.call)))

; `println!(…)`, `tracing::info!(…)`
(macro_invocation
  macro: (identifier) @reference.call)

(macro_invocation
  macro: (scoped_identifier
    name: (identifier) @reference.call))

; --- imports ----------------------------------------------------------------------------------
; `use std::collections::{HashMap, hash_map::Entry};`, `use crate::lexer::Token as Tok;`: the
; last segment of each imported path.

(use_declaration
  argument: (identifier) @reference.import)

(use_declaration
  argument: (scoped_identifier
    name: (identifier) @reference.import))

(use_list
  (identifier) @reference.import)

(use_list
  (scoped_identifier
    name: (identifier) @reference.import))

(use_as_clause
  path: (identifier) @reference.import)

(use_as_clause
  path: (scoped_identifier
    name: (identifier) @reference.import))

; --- types ------------------------------------------------------------------------------------

; Every type name (`Vec<u8>`, `impl Parser`, `Parser { … }`), except `Self` and `_`.
((type_identifier) @reference.type
  (#not-any-of? @reference.type "Self" "_"))

; Upper-case path segments are types or enums: `Vec` in `Vec::new()`, `Kind` in `Kind::A`.
((scoped_identifier
  path: (identifier) @reference.type)
  (#match? @reference.type "^[A-Z]"))

((scoped_type_identifier
  path: (identifier) @reference.type)
  (#match? @reference.type "^[A-Z]"))

; --- other uses of a name as a value ---------------------------------------------------------

; Values handed on: `run(helper)`, `map(Token::from)` is a path, handled above.
(arguments
  (identifier) @reference.identifier)

; `SCREAMING_CASE` constants and statics wherever they are used
((identifier) @reference.identifier
  (#match? @reference.identifier "^[A-Z][A-Z0-9_]*[A-Z0-9]$"))
