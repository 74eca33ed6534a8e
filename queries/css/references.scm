; References in CSS (.css): the classes a rule's selectors name. With the classes the code applies
; (`@reference.class` in the script languages), they tie a rule to the code that renders it.
; Captures: @reference.<kind> on the name at the use site (see queries/README.md).

(class_selector
  (class_name) @reference.class)
