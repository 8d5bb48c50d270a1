"""``make_dot``: the autograd graph of a tensor as Graphviz DOT (like the torchviz package).

Blue boxes are leaves that require grad (parameters, named when ``params``
is given), grey boxes are ``grad_fn`` nodes, the green box is the output.
``Digraph.source`` is the DOT text; ``render()`` needs the graphviz binary.
"""
import shutil
import subprocess


class Digraph:
    """A small stand-in for graphviz.Digraph: DOT text plus rendering through the ``dot`` binary."""

    def __init__(self, lines):
        self.body = lines

    @property
    def source(self):
        """The graph in the DOT language."""
        return 'digraph {\n\tgraph [size="12,12"]\n\tnode [align=left fontname=monospace fontsize=10 ' \
               'height=0.2 ranksep=0.1 shape=box style=filled]\n' + ''.join(f'\t{line}\n' for line in self.body) + '}\n'

    def pipe(self, format='svg'):
        """The graph rendered by Graphviz's ``dot`` into ``format`` (bytes)."""
        dot = shutil.which('dot')
        if dot is None:
            raise RuntimeError("rendering needs the Graphviz 'dot' binary (apt-get install graphviz); "
                               "the DOT text is available as .source")
        return subprocess.run([dot, f'-T{format}'], input=self.source.encode(), capture_output=True,
                              check=True).stdout

    def render(self, filename, format='svg'):
        """Write ``filename.format`` (and the DOT source to ``filename``); return the rendered path."""
        with open(filename, 'w') as f:
            f.write(self.source)
        out = f'{filename}.{format}'
        with open(out, 'wb') as f:
            f.write(self.pipe(format))
        return out

    def _repr_svg_(self):
        return self.pipe('svg').decode()


def _size(shape):
    return '(' + ', '.join(str(s) for s in shape) + ')'


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """The backward graph reaching ``var`` (a tensor or tuple of tensors) as a Digraph."""
    from ..autograd.function import AccumulateGrad
    names = {id(v): k for k, v in (params or {}).items()}
    outputs = var if isinstance(var, (tuple, list)) else (var,)
    lines, seen = [], set()
    stack = []
    for out in outputs:
        oid = f'out{id(out)}'
        lines.append(f'{oid} [label="output\\n{_size(out.shape)}" fillcolor=darkolivegreen1]')
        if out.grad_fn is not None:
            lines.append(f'{id(out.grad_fn)} -> {oid}')
            stack.append(out.grad_fn)
    while stack:  # iterative: deep graphs must not hit the recursion limit
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            v = node.variable
            label = f'{names.get(id(v), "")}\\n{_size(v.shape)}'.lstrip('\\n')
            lines.append(f'{id(node)} [label="{label}" fillcolor=lightblue]')
        else:
            lines.append(f'{id(node)} [label="{node.name()}" fillcolor=lightgrey]')
        for nxt, _ in node.next_functions:
            if nxt is not None:
                lines.append(f'{id(nxt)} -> {id(node)}')
                stack.append(nxt)
    return Digraph(lines)
