"""A small, safe expression language for ``relevant``, ``constraint``, bounds and warnings.

XLSForm-style syntax: ``${name}`` refers to another answer, ``.`` to the value being checked,
``respondent('municipality_count')`` to a fact about the respondent. A hand-written tokenizer and
recursive-descent parser build a tree that :func:`evaluate` walks; nothing is ever passed to
``eval``. See ``docs/questionnaires.md`` for the grammar and the semantics of empty values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Protocol

#: Facts about the respondent that ``respondent('…')`` may ask for.
KNOWN_FACTS: frozenset[str] = frozenset({"municipality_count", "kind", "code", "county_code"})

#: Value of a number question answered with "… kan inte uppskattas".
CANNOT_ESTIMATE = "cannot_estimate"

Value = object
"""An evaluated value: ``Decimal``, ``str``, ``bool``, ``None`` (empty), a tuple of option names
(select_multiple) or a mapping row -> column -> value (table)."""


class ExpressionError(ValueError):
    """A syntax error, with the position (0-based character offset) where it was found."""

    def __init__(self, message: str, source: str, position: int) -> None:
        self.message = message
        self.source = source
        self.position = position
        pointer = " " * position + "^"
        super().__init__(f"{message} at position {position + 1}:\n  {source}\n  {pointer}")


class EvaluationError(ValueError):
    """An expression could not be evaluated (e.g. a table used where a number was expected)."""


# --------------------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<dot>\.)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z_][A-Za-z0-9_]*)*)
    """,
    re.VERBOSE,
)
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


@dataclass(frozen=True)
class Token:
    """One token and where it starts."""

    kind: str
    text: str
    position: int


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens; raise :class:`ExpressionError` at the first bad character."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN_RE.match(source, pos)
        if match is None:
            if source[pos] in "'\"":
                raise ExpressionError("Unterminated string", source, pos)
            if source.startswith("${", pos):
                raise ExpressionError("Unterminated reference ${…}", source, pos)
            raise ExpressionError(f"Unexpected character {source[pos]!r}", source, pos)
        kind = match.lastgroup or ""
        if match.group("ref") is not None:
            name = match.group("refname")
            if not _NAME_RE.match(name):
                raise ExpressionError(f"Invalid question name {name!r} in reference", source, pos)
            tokens.append(Token("ref", name, pos))
        elif kind != "ws":
            text = match.group(kind)
            if kind == "string":
                text = text[1:-1]
            tokens.append(Token(kind, text, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Literal:
    """A number or string literal."""

    value: Decimal | str
    position: int


@dataclass(frozen=True)
class Ref:
    """``${name}``: the answer to another question."""

    name: str
    position: int


@dataclass(frozen=True)
class Current:
    """``.``: the value being validated."""

    position: int


@dataclass(frozen=True)
class ChoiceColumn:
    """A bare identifier: a column of the choice being filtered (``choice_filter`` only)."""

    name: str
    position: int


@dataclass(frozen=True)
class Unary:
    """``-x`` or prefix ``not x``."""

    op: str
    operand: Node
    position: int


@dataclass(frozen=True)
class Binary:
    """``a op b`` for arithmetic, comparison, ``and`` and ``or``."""

    op: str
    left: Node
    right: Node
    position: int


@dataclass(frozen=True)
class Call:
    """``function(args…)``."""

    name: str
    args: tuple[Node, ...]
    position: int


Node = Literal | Ref | Current | ChoiceColumn | Unary | Binary | Call

_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")

#: Function name -> (minimum arguments, maximum arguments or None for any number).
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "respondent": (1, 1),
    "if": (3, 3),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "coalesce": (2, None),
    "min": (1, None),
    "max": (1, None),
    "number": (1, 1),
    "cell": (3, 3),
    "column-sum": (2, 2),
}


class _Parser:
    def __init__(self, source: str, allow_choice_columns: bool) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.index = 0
        self.allow_choice_columns = allow_choice_columns

    @property
    def tok(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, token: Token | None = None) -> ExpressionError:
        return ExpressionError(message, self.source, (token or self.tok).position)

    def is_word(self, word: str) -> bool:
        return self.tok.kind == "name" and self.tok.text == word

    def expect_op(self, op: str) -> Token:
        if self.tok.kind == "op" and self.tok.text == op:
            return self.advance()
        found = "end of expression" if self.tok.kind == "end" else repr(self.tok.text)
        raise self.error(f"Expected {op!r} but found {found}")

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.error("Empty expression")
        node = self.parse_or()
        if self.tok.kind != "end":
            raise self.error(f"Unexpected {self.tok.text!r}")
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.is_word("or"):
            tok = self.advance()
            node = Binary("or", node, self.parse_and(), tok.position)
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.is_word("and"):
            tok = self.advance()
            node = Binary("and", node, self.parse_not(), tok.position)
        return node

    def parse_not(self) -> Node:
        nxt = self.tokens[self.index + 1]
        if self.is_word("not") and not (nxt.kind == "op" and nxt.text == "("):
            tok = self.advance()
            return Unary("not", self.parse_not(), tok.position)
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        node = self.parse_additive()
        if self.tok.kind == "op" and self.tok.text in _COMPARISONS:
            tok = self.advance()
            node = Binary(tok.text, node, self.parse_additive(), tok.position)
            if self.tok.kind == "op" and self.tok.text in _COMPARISONS:
                raise self.error("Comparisons cannot be chained; use 'and'")
        return node

    def parse_additive(self) -> Node:
        node = self.parse_multiplicative()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            tok = self.advance()
            node = Binary(tok.text, node, self.parse_multiplicative(), tok.position)
        return node

    def parse_multiplicative(self) -> Node:
        node = self.parse_unary()
        while (self.tok.kind == "op" and self.tok.text == "*") or self.is_word("div") or (
            self.is_word("mod")
        ):
            tok = self.advance()
            node = Binary(tok.text, node, self.parse_unary(), tok.position)
        return node

    def parse_unary(self) -> Node:
        if self.tok.kind == "op" and self.tok.text == "-":
            tok = self.advance()
            return Unary("-", self.parse_unary(), tok.position)
        return self.parse_primary()

    def parse_primary(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self.advance()
            return Literal(Decimal(tok.text), tok.position)
        if tok.kind == "string":
            self.advance()
            return Literal(tok.text, tok.position)
        if tok.kind == "ref":
            self.advance()
            return Ref(tok.text, tok.position)
        if tok.kind == "dot":
            self.advance()
            return Current(tok.position)
        if tok.kind == "op" and tok.text == "(":
            self.advance()
            node = self.parse_or()
            self.expect_op(")")
            return node
        if tok.kind == "name":
            nxt = self.tokens[self.index + 1]
            if nxt.kind == "op" and nxt.text == "(":
                return self.parse_call()
            if tok.text in ("and", "or", "div", "mod"):
                raise self.error(f"Operator {tok.text!r} needs a left-hand operand")
            if not self.allow_choice_columns:
                raise self.error(
                    f"Unknown name {tok.text!r}; write ${{{tok.text}}} to refer to a question"
                )
            self.advance()
            return ChoiceColumn(tok.text, tok.position)
        if tok.kind == "end":
            raise self.error("Unexpected end of expression")
        raise self.error(f"Unexpected {tok.text!r}")

    def parse_call(self) -> Node:
        name_tok = self.advance()
        if name_tok.text not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error(f"Unknown function {name_tok.text!r} (known: {known})", name_tok)
        self.expect_op("(")
        args: list[Node] = []
        if not (self.tok.kind == "op" and self.tok.text == ")"):
            args.append(self.parse_or())
            while self.tok.kind == "op" and self.tok.text == ",":
                self.advance()
                args.append(self.parse_or())
        self.expect_op(")")
        low, high = FUNCTIONS[name_tok.text]
        if len(args) < low or (high is not None and len(args) > high):
            wanted = str(low) if low == high else f"{low} or more" if high is None else (
                f"{low}–{high}"
            )
            raise self.error(
                f"{name_tok.text}() takes {wanted} argument(s), got {len(args)}", name_tok
            )
        if name_tok.text == "respondent":
            arg = args[0]
            if not (isinstance(arg, Literal) and isinstance(arg.value, str)):
                raise self.error("respondent() takes a quoted fact name", name_tok)
            if arg.value not in KNOWN_FACTS:
                known = ", ".join(sorted(KNOWN_FACTS))
                raise ExpressionError(
                    f"Unknown respondent fact {arg.value!r} (known: {known})",
                    self.source,
                    arg.position,
                )
        return Call(name_tok.text, tuple(args), name_tok.position)


@dataclass(frozen=True)
class Expression:
    """A parsed expression; two expressions are equal when their source text is."""

    source: str
    tree: Node = field(compare=False, repr=False)

    def references(self) -> frozenset[str]:
        """Names referred to with ``${…}``."""
        return frozenset(n.name for n in walk(self.tree) if isinstance(n, Ref))

    def uses_current(self) -> bool:
        """Whether ``.`` occurs."""
        return any(isinstance(n, Current) for n in walk(self.tree))

    def choice_columns(self) -> frozenset[str]:
        """Bare identifiers (choice columns in a ``choice_filter``)."""
        return frozenset(n.name for n in walk(self.tree) if isinstance(n, ChoiceColumn))

    def selected_options(self) -> list[tuple[str, str, int]]:
        """``(question, option, position)`` for each ``selected(${q}, 'option')``."""
        out: list[tuple[str, str, int]] = []
        for node in walk(self.tree):
            if isinstance(node, Call) and node.name == "selected":
                target, option = node.args
                if isinstance(target, Ref) and isinstance(option, Literal):
                    out.append((target.name, str(option.value), option.position))
        return out


def parse_expression(source: str, *, allow_choice_columns: bool = False) -> Expression:
    """Parse ``source``; raise :class:`ExpressionError` pointing at the offending position."""
    return Expression(source, _Parser(source, allow_choice_columns).parse())


def walk(node: Node) -> Iterator[Node]:
    """``node`` and all nodes below it, depth first."""
    yield node
    if isinstance(node, Unary):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)


# --------------------------------------------------------------------------- evaluation


class Context(Protocol):
    """What an expression can see while it is evaluated."""

    def value(self, name: str) -> Value:
        """The (relevant) answer to question ``name``; ``None`` when empty."""
        ...

    def current(self) -> Value:
        """The value being validated (``.``)."""
        ...

    def fact(self, name: str) -> Value:
        """A fact about the respondent."""
        ...

    def choice_column(self, name: str) -> Value:
        """A column of the choice being filtered."""
        ...


@dataclass(frozen=True)
class SimpleContext:
    """A :class:`Context` over plain mappings."""

    values: Mapping[str, object] = field(default_factory=dict)
    current_value: object = None
    facts: Mapping[str, object] = field(default_factory=dict)
    choice: Mapping[str, str] = field(default_factory=dict)

    def value(self, name: str) -> Value:
        """The answer to ``name``."""
        return self.values.get(name)

    def current(self) -> Value:
        """The value being validated."""
        return self.current_value

    def fact(self, name: str) -> Value:
        """A fact about the respondent."""
        return self.facts.get(name)

    def choice_column(self, name: str) -> Value:
        """A column of the choice being filtered."""
        return self.choice.get(name)


def normalise(value: object) -> Value:
    """Bring a Python value into the evaluator's domain (numbers become ``Decimal``)."""
    if value is None or isinstance(value, bool | Decimal | str):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return value


def to_number(value: Value) -> Decimal | None:
    """``value`` as a number, or ``None`` when it is empty or not numeric."""
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text or text == CANNOT_ESTIMATE:
            return None
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def truthy(value: Value) -> bool:
    """XPath-like truth: empty, zero, ``false`` and an empty selection are false."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return value != 0
    if isinstance(value, str | tuple):
        return len(value) > 0
    return True


def _as_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, tuple):
        return " ".join(value)
    if isinstance(value, str):
        return value
    raise EvaluationError("A table cannot be used as text; use cell() or column-sum()")


def _equal(left: Value, right: Value) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return truthy(left) == truthy(right)
    lnum, rnum = to_number(left), to_number(right)
    if lnum is not None and rnum is not None:
        return lnum == rnum
    return _as_text(left) == _as_text(right)


def _compare(op: str, a: Decimal | str, b: Decimal | str) -> bool:
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]


def _order(op: str, left: Value, right: Value) -> bool:
    lnum, rnum = to_number(left), to_number(right)
    if lnum is not None and rnum is not None:
        return _compare(op, lnum, rnum)
    if isinstance(left, str) and isinstance(right, str) and left and right:
        if CANNOT_ESTIMATE in (left, right):
            return False
        return _compare(op, left, right)
    return False


def _arith(op: str, left: Value, right: Value) -> Value:
    a, b = to_number(left), to_number(right)
    if a is None or b is None:
        return None
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "div":
            return None if b == 0 else a / b
        return None if b == 0 else a % b
    except (InvalidOperation, DivisionByZero):
        return None


def _table(value: Value, fn: str) -> Mapping[str, Mapping[str, object]]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    raise EvaluationError(f"{fn}() needs a table question as its first argument")


def evaluate(expression: Expression | Node, context: Context) -> Value:
    """Evaluate an expression against ``context``."""
    node = expression.tree if isinstance(expression, Expression) else expression
    return _eval(node, context)


def evaluate_bool(expression: Expression, context: Context) -> bool:
    """Evaluate and apply XPath truth."""
    return truthy(evaluate(expression, context))


def _eval(node: Node, ctx: Context) -> Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return normalise(ctx.value(node.name))
    if isinstance(node, Current):
        return normalise(ctx.current())
    if isinstance(node, ChoiceColumn):
        return normalise(ctx.choice_column(node.name))
    if isinstance(node, Unary):
        operand = _eval(node.operand, ctx)
        if node.op == "not":
            return not truthy(operand)
        number = to_number(operand)
        return None if number is None else -number
    if isinstance(node, Binary):
        if node.op == "and":
            return truthy(_eval(node.left, ctx)) and truthy(_eval(node.right, ctx))
        if node.op == "or":
            return truthy(_eval(node.left, ctx)) or truthy(_eval(node.right, ctx))
        left, right = _eval(node.left, ctx), _eval(node.right, ctx)
        if node.op == "=":
            return _equal(left, right)
        if node.op == "!=":
            return not _equal(left, right)
        if node.op in ("<", "<=", ">", ">="):
            return _order(node.op, left, right)
        return _arith(node.op, left, right)
    return _call(node, ctx)


def _numbers(args: Sequence[Node], ctx: Context) -> list[Decimal]:
    values = (to_number(_eval(a, ctx)) for a in args)
    return [v for v in values if v is not None]


def _selected(node: Call, ctx: Context) -> Value:
    value = _eval(node.args[0], ctx)
    option = _as_text(_eval(node.args[1], ctx))
    if isinstance(value, tuple):
        return option in value
    return option in _as_text(value).split()


def _cell(node: Call, ctx: Context) -> Value:
    table = _table(_eval(node.args[0], ctx), "cell")
    row = table.get(_as_text(_eval(node.args[1], ctx))) or {}
    return normalise(row.get(_as_text(_eval(node.args[2], ctx))))


def _column_sum(node: Call, ctx: Context) -> Value:
    table = _table(_eval(node.args[0], ctx), "column-sum")
    column = _as_text(_eval(node.args[1], ctx))
    numbers = [to_number(normalise(row.get(column))) for row in table.values()]
    return sum((n for n in numbers if n is not None), Decimal(0))


def _if(node: Call, ctx: Context) -> Value:
    branch = node.args[1] if truthy(_eval(node.args[0], ctx)) else node.args[2]
    return _eval(branch, ctx)


def _coalesce(node: Call, ctx: Context) -> Value:
    for arg in node.args:
        value = _eval(arg, ctx)
        if value is not None and value != "" and value != ():
            return value
    return None


def _count_selected(node: Call, ctx: Context) -> Value:
    value = _eval(node.args[0], ctx)
    items = value if isinstance(value, tuple) else tuple(_as_text(value).split())
    return Decimal(len(items))


def _min(node: Call, ctx: Context) -> Value:
    numbers = _numbers(node.args, ctx)
    return min(numbers) if numbers else None


def _max(node: Call, ctx: Context) -> Value:
    numbers = _numbers(node.args, ctx)
    return max(numbers) if numbers else None


_CALLS: dict[str, Callable[[Call, Context], Value]] = {
    "selected": _selected,
    "count-selected": _count_selected,
    "string-length": lambda n, c: Decimal(len(_as_text(_eval(n.args[0], c)))),
    "respondent": lambda n, c: normalise(c.fact(_as_text(_eval(n.args[0], c)))),
    "if": _if,
    "not": lambda n, c: not truthy(_eval(n.args[0], c)),
    "true": lambda n, c: True,
    "false": lambda n, c: False,
    "coalesce": _coalesce,
    "min": _min,
    "max": _max,
    "number": lambda n, c: to_number(_eval(n.args[0], c)),
    "cell": _cell,
    "column-sum": _column_sum,
}


def _call(node: Call, ctx: Context) -> Value:
    return _CALLS[node.name](node, ctx)
