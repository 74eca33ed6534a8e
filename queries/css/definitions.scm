; Definitions in CSS (.css): every rule is a symbol named by its selectors, as editors' outlines
; show it (`.square.capture::before`; `h1, h2` for a list). A rule inside `@media` is one of its
; own. Captures: @name, @definition.<kind> (see queries/README.md).

(rule_set
  (selectors) @name) @definition.rule
