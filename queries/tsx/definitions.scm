; inherits: typescript
; Definitions in TSX (.tsx): React components, then every TypeScript pattern (appended from
; typescript/definitions.scm). These come first, so they win over the plain function patterns.

; `function TodoList(…) { … }`, `export default function App() { … }`
((function_declaration
  name: (identifier) @name) @definition.component
  (#match? @name "^[A-Z]"))

; `const TodoList = ({ todos }: Props) => …`, `const Row = function (…) { … }`
((variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.component
  (#match? @name "^[A-Z]"))

; `const Row = memo((props) => …)`, `forwardRef(function (props, ref) { … })`
((variable_declarator
  name: (identifier) @name
  value: (call_expression
    arguments: (arguments [(arrow_function) (function_expression)]))) @definition.component
  (#match? @name "^[A-Z]"))
