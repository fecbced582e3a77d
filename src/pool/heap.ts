/** A heap value knows its place in the array: moving it is a field write, not a map update. */
export interface HeapNode {
  pos: number;
}

/**
 * An indexed binary heap: an array in heap order plus a map from each value's key to the value (which knows its
 * array index), so a value can be found in O(1) and removed in O(log n). Pure data structure, no I/O, no clock.
 */
export class IndexedBinaryHeap<V extends HeapNode> {
  // Invariant: for every i > 0, !before(nodes[i], nodes[parent(i)]), and nodes[i].pos === i.
  private readonly nodes: V[] = [];
  private readonly index = new Map<string, V>();

  /**
   * @param before strict total order: true when `a` must come out before `b`.
   * @param keyOf unique key of a value, used by `has`, `get` and `remove`.
   */
  constructor(
    private readonly before: (a: V, b: V) => boolean,
    private readonly keyOf: (value: V) => string,
  ) {}

  get size(): number {
    return this.nodes.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): V | undefined {
    return this.index.get(key);
  }

  /** Adds a value. The caller checks the key is new (a duplicate key would corrupt the index). O(log n). */
  push(value: V): void {
    value.pos = this.nodes.length;
    this.nodes.push(value);
    this.index.set(this.keyOf(value), value);
    this.siftUp(value.pos);
  }

  peek(): V | undefined {
    return this.nodes[0];
  }

  /** Removes and returns the first value, or undefined when empty. O(log n). */
  pop(): V | undefined {
    return this.nodes.length === 0 ? undefined : this.removeAt(0);
  }

  /** Removes the value with this key and returns it, or undefined when absent. O(log n). */
  remove(key: string): V | undefined {
    const value = this.index.get(key);
    return value === undefined ? undefined : this.removeAt(value.pos);
  }

  /** A copy of the values in heap (not sorted) order. O(n). */
  values(): V[] {
    return this.nodes.slice();
  }

  /** Removes every value and returns them in heap (not sorted) order. O(n). */
  clear(): V[] {
    const all = this.nodes.splice(0, this.nodes.length);
    this.index.clear();
    return all;
  }

  private removeAt(i: number): V {
    const removed = this.at(i);
    const last = this.nodes.pop() as V; // non-empty: it holds `removed`
    this.index.delete(this.keyOf(removed));
    if (i < this.nodes.length) {
      this.place(last, i);
      // The moved value may belong above or below position i; at most one of these moves it.
      if (i > 0 && this.before(last, this.at((i - 1) >> 1))) this.siftUp(i);
      else this.siftDown(i);
    }
    return removed;
  }

  private siftUp(start: number): void {
    let i = start;
    const value = this.at(i);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = this.at(p);
      if (!this.before(value, parent)) break;
      this.place(parent, i);
      i = p;
    }
    this.place(value, i);
  }

  private siftDown(start: number): void {
    let i = start;
    const value = this.at(i);
    const n = this.nodes.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = this.at(l);
      if (r < n) {
        const right = this.at(r);
        if (this.before(right, child)) {
          c = r;
          child = right;
        }
      }
      if (!this.before(child, value)) break;
      this.place(child, i);
      i = c;
    }
    this.place(value, i);
  }

  private place(value: V, i: number): void {
    this.nodes[i] = value;
    value.pos = i;
  }

  private at(i: number): V {
    return this.nodes[i] as V; // callers pass in-range indices only
  }
}
