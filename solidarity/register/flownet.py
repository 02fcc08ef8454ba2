"""Which bounded edges of a flow network can take only one value (used by ``disclosure``).

A network is a list of edges ``(u, v, low, high)`` on nodes ``0..n-1``; a circulation gives
each edge a flow within its bounds with flow conserved at every node. Given one feasible
circulation, an edge can carry another value in some feasible circulation exactly when it
lies on a cycle of the residual graph (an arc ``u -> v`` where its flow can grow, ``v -> u``
where it can shrink) that does not go back over the same edge. For an edge with one residual
arc that is "both ends in one strongly connected component"; an edge with both arcs joins
its ends by itself, and then it is pinned exactly when it is a bridge of the (undirected)
graph of residual arcs inside its component: if nothing else joins the two sides, no cycle
can pass it, and if something does, strong connectivity gives a path back the other way.
Bounds are integers and the matrix is a network matrix, so integral and real ranges agree.
Everything here is linear in the size of the network, apart from finding the first
circulation when the caller has none (Dinic's max-flow).
"""

from collections import deque


def feasible_circulation(n: int, edges: list[tuple[int, int, int, int]]) -> list[int] | None:
    """One circulation within the bounds, or None when there is none."""
    source, sink = n, n + 1
    graph: list[list[int]] = [[] for _ in range(n + 2)]
    to: list[int] = []
    cap: list[int] = []

    def arc(u: int, v: int, c: int) -> int:
        graph[u].append(len(to))
        to.append(v)
        cap.append(c)
        graph[v].append(len(to))
        to.append(u)
        cap.append(0)
        return len(to) - 2

    excess = [0] * n
    index = []
    for u, v, low, high in edges:
        if low > high:
            return None
        index.append(arc(u, v, high - low))
        excess[v] += low
        excess[u] -= low
    need = 0
    for node, e in enumerate(excess):
        if e > 0:
            arc(source, node, e)
            need += e
        elif e < 0:
            arc(node, sink, -e)
    if _max_flow(graph, to, cap, source, sink) < need:
        return None
    return [low + cap[i ^ 1] for i, (_u, _v, low, _h) in zip(index, edges, strict=True)]


def _max_flow(graph, to, cap, source, sink) -> int:
    total = 0
    size = len(graph)
    while True:
        level = [-1] * size
        level[source] = 0
        queue = deque([source])
        while queue:
            u = queue.popleft()
            for i in graph[u]:
                if cap[i] > 0 and level[to[i]] < 0:
                    level[to[i]] = level[u] + 1
                    queue.append(to[i])
        if level[sink] < 0:
            return total
        pointer = [0] * size
        while True:
            pushed = _augment(graph, to, cap, level, pointer, source, sink)
            if not pushed:
                break
            total += pushed


def _augment(graph, to, cap, level, pointer, source, sink) -> int:
    """One blocking-flow path found iteratively (no recursion: networks have 10^5 edges)."""
    path: list[int] = []
    u = source
    while True:
        if u == sink:
            pushed = min(cap[i] for i in path)
            for i in path:
                cap[i] -= pushed
                cap[i ^ 1] += pushed
            return pushed
        arcs = graph[u]
        while pointer[u] < len(arcs):
            i = arcs[pointer[u]]
            if cap[i] > 0 and level[to[i]] == level[u] + 1:
                break
            pointer[u] += 1
        if pointer[u] == len(arcs):
            if not path:
                return 0
            level[u] = -1  # dead end
            i = path.pop()
            u = to[i ^ 1]
            pointer[u] += 1
            continue
        i = arcs[pointer[u]]
        path.append(i)
        u = to[i]


def pinned_edges(n: int, edges: list[tuple[int, int, int, int]], flow: list[int]) -> list[bool]:
    """For each edge, whether every feasible circulation gives it the value in ``flow``."""
    arcs: list[list[int]] = [[] for _ in range(n)]
    for (u, v, low, high), f in zip(edges, flow, strict=True):
        if f < high:
            arcs[u].append(v)
        if f > low:
            arcs[v].append(u)
    component = _components(n, arcs)
    pinned = [True] * len(edges)
    inside: list[int] = []
    for i, ((u, v, low, high), f) in enumerate(zip(edges, flow, strict=True)):
        if low == high or component[u] != component[v]:
            continue
        if low < f < high:
            inside.append(i)
        else:
            pinned[i] = False
    # Edges with both arcs: free unless a bridge of the undirected residual graph inside
    # their component (every residual edge with ends in one component takes part).
    undirected = [
        i
        for i, ((u, v, low, high), f) in enumerate(zip(edges, flow, strict=True))
        if low < high and component[u] == component[v]
    ]
    bridges = _bridges(n, [(edges[i][0], edges[i][1]) for i in undirected])
    is_bridge = {undirected[k] for k in bridges}
    for i in inside:
        pinned[i] = i in is_bridge
    return pinned


def _components(n: int, arcs: list[list[int]]) -> list[int]:
    """Strongly connected components (iterative Tarjan): a component id per node."""
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    component = [-1] * n
    stack: list[int] = []
    counter = 0
    count = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            u, k = work[-1]
            if k < len(arcs[u]):
                work[-1] = (u, k + 1)
                v = arcs[u][k]
                if index[v] < 0:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack[v] = True
                    work.append((v, 0))
                elif on_stack[v]:
                    low[u] = min(low[u], index[v])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[u])
            if low[u] == index[u]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component[w] = count
                    if w == u:
                        break
                count += 1
    return component


def _bridges(n: int, pairs: list[tuple[int, int]]) -> set[int]:
    """Indices of the bridges of an undirected multigraph (iterative)."""
    adjacent: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for k, (u, v) in enumerate(pairs):
        adjacent[u].append((v, k))
        adjacent[v].append((u, k))
    order = [-1] * n
    low = [0] * n
    bridges: set[int] = set()
    counter = 0
    for root in range(n):
        if order[root] >= 0 or not adjacent[root]:
            continue
        order[root] = low[root] = counter
        counter += 1
        work = [(root, -1, 0)]
        while work:
            u, via, k = work[-1]
            if k < len(adjacent[u]):
                work[-1] = (u, via, k + 1)
                v, edge = adjacent[u][k]
                if edge == via:
                    continue
                if order[v] < 0:
                    order[v] = low[v] = counter
                    counter += 1
                    work.append((v, edge, 0))
                else:
                    low[u] = min(low[u], order[v])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[u])
                if low[u] > order[parent]:
                    bridges.add(via)
    return bridges
