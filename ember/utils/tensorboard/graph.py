"""``add_graph``: the autograd graph behind a model's output as a TensorBoard GraphDef.

torch traces the model with the JIT; ember has no tracer, so the graph shown
is the one autograd recorded: one node per ``grad_fn`` (named like
``AddmmBackward0``) plus the named parameters and the input as leaves.
"""
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef


def _shape_attr(shape):
    dims = [TensorShapeProto.Dim(size=int(s)) for s in shape]
    return AttrValue(list=AttrValue.ListValue(shape=[TensorShapeProto(dim=dims)]))


def build_graph(outputs, named_params, inputs):
    """A GraphDef of the autograd graph reaching ``outputs`` (tensors)."""
    from ...autograd.function import AccumulateGrad
    names = {id(p): n for n, p in named_params}
    for i, t in enumerate(inputs):
        names.setdefault(id(t), f'input/{i}')
    nodes, ids, order = [], {}, []
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    seen = set()
    while stack:  # iterative DFS: deep graphs must not hit the recursion limit
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(n for n, _ in node.next_functions if n is not None)

    def node_name(node):
        if id(node) not in ids:
            if isinstance(node, AccumulateGrad):
                var = node.variable
                ids[id(node)] = names.get(id(var), f'leaf/{len(ids)}').replace('.', '/')
            else:
                ids[id(node)] = f'{node.name()}_{len(ids)}'
        return ids[id(node)]

    for node in order:
        name = node_name(node)
        if isinstance(node, AccumulateGrad):
            var = node.variable
            nodes.append(NodeDef(name=name, op='Parameter' if id(var) in names else 'Leaf',
                                 attr={'_output_shapes': _shape_attr(var.shape),
                                       'attr': AttrValue(s=f'{var.dtype} {list(var.shape)}'.encode())}))
        else:
            inputs_ = [node_name(n) for n, _ in node.next_functions if n is not None]
            nodes.append(NodeDef(name=name, op=node.name(), input=inputs_))
    for i, t in enumerate(outputs):
        if t.grad_fn is not None:
            nodes.append(NodeDef(name=f'output/{i}', op='Output', input=[node_name(t.grad_fn)],
                                 attr={'_output_shapes': _shape_attr(t.shape)}))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
