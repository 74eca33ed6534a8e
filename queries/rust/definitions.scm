; Definitions in Rust (.rs).
; Captures: @name, @definition.<kind>, @scope (see queries/README.md).
; The first pattern that captures a node wins: specific patterns come first.

; --- impl blocks name their methods' container -------------------------------------------
; `impl Parser`, `impl<'a> Parser<'a>`, `impl Display for Parser`, `impl fmt::Debug for ast::Node`:
; the container is the implementing type's name, not the trait's.

(impl_item
  type: [
    (type_identifier) @name
    (generic_type type: (type_identifier) @name)
    (scoped_type_identifier name: (type_identifier) @name)
    (generic_type type: (scoped_type_identifier name: (type_identifier) @name))
  ]) @scope

; --- functions --------------------------------------------------------------------------------

; Functions in an impl or a trait are methods (associated functions like `new` included).
(impl_item
  body: (declaration_list
    (function_item
      name: (identifier) @name) @definition.method))

(trait_item
  body: (declaration_list
    [(function_item name: (identifier) @name)
     (function_signature_item name: (identifier) @name)] @definition.method))

(function_item
  name: (identifier) @name) @definition.function

(function_signature_item
  name: (identifier) @name) @definition.function

(macro_definition
  name: (identifier) @name) @definition.macro

; --- types ------------------------------------------------------------------------------------

(struct_item
  name: (type_identifier) @name) @definition.struct

(union_item
  name: (type_identifier) @name) @definition.struct

(field_declaration
  name: (field_identifier) @name) @definition.field

(enum_item
  name: (type_identifier) @name) @definition.enum

(trait_item
  name: (type_identifier) @name) @definition.trait

(type_item
  name: (type_identifier) @name) @definition.type

(associated_type
  name: (type_identifier) @name) @definition.type

; --- items ------------------------------------------------------------------------------------

(const_item
  name: (identifier) @name) @definition.constant

; `static mut` is a variable; other statics are constants.
(static_item
  (mutable_specifier)
  name: (identifier) @name) @definition.variable

(static_item
  name: (identifier) @name) @definition.constant

(mod_item
  name: (identifier) @name) @definition.module
