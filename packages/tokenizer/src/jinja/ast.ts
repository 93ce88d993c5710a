// Syntax tree of the Jinja2 subset chat templates use. Every node keeps the source
// offset it came from, so render-time errors can say where they happened.

export type Expr =
  | { k: 'lit'; v: string | number | boolean | null; pos: number }
  | { k: 'name'; name: string; pos: number }
  | { k: 'list'; items: Expr[]; pos: number }
  | { k: 'tuple'; items: Expr[]; pos: number }
  | { k: 'dict'; entries: [Expr, Expr][]; pos: number }
  | { k: 'attr'; obj: Expr; name: string; pos: number }
  | { k: 'index'; obj: Expr; index: Expr; pos: number }
  | { k: 'slice'; obj: Expr; start?: Expr; stop?: Expr; step?: Expr; pos: number }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: [string, Expr][]; pos: number }
  | { k: 'filter'; value: Expr; name: string; args: Expr[]; kwargs: [string, Expr][]; pos: number }
  | { k: 'test'; value: Expr; name: string; args: Expr[]; negate: boolean; pos: number }
  | { k: 'unary'; op: 'not' | '-' | '+'; e: Expr; pos: number }
  | { k: 'bin'; op: string; l: Expr; r: Expr; pos: number }
  | { k: 'cond'; test: Expr; then: Expr; else_?: Expr; pos: number };

/** Assignment target: plain names (several for unpacking) or one namespace attribute. */
export type Target = { names: string[]; pos: number } | { obj: string; attr: string; pos: number };

export type Stmt =
  | { k: 'text'; v: string; pos: number }
  | { k: 'output'; e: Expr; pos: number }
  | { k: 'if'; branches: { cond: Expr; body: Stmt[] }[]; else_?: Stmt[]; pos: number }
  | { k: 'for'; names: string[]; iter: Expr; filter?: Expr; body: Stmt[]; else_?: Stmt[]; pos: number }
  | { k: 'set'; target: Target; value: Expr; pos: number }
  | { k: 'setBlock'; name: string; body: Stmt[]; pos: number }
  | { k: 'macro'; name: string; params: { name: string; def?: Expr }[]; body: Stmt[]; pos: number }
  | { k: 'break'; pos: number }
  | { k: 'continue'; pos: number }
  | { k: 'block'; body: Stmt[]; pos: number };
