// Numbers pairs of non-negative integers in order of first appearance: an open-addressing hash table on typed
// arrays, for the layout's merged edges and boundary ports (a Map keyed by a * N + b boxes its keys once they leave
// the small-integer range, which costs more than the layout itself at 100,000 nodes).
export class PairIndex {
  private keyA: Int32Array;
  private keyB: Int32Array;
  private value: Int32Array;
  private mask: number;
  /** How many distinct pairs have been seen. */
  size = 0;

  constructor(expected = 16) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.keyA = new Int32Array(capacity).fill(-1);
    this.keyB = new Int32Array(capacity);
    this.value = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** The pair's number, or -1 when it has not been seen. */
  get(a: number, b: number): number {
    for (let i = this.slot(a, b); ; i = (i + 1) & this.mask) {
      if (this.keyA[i] === -1) return -1;
      if (this.keyA[i] === a && this.keyB[i] === b) return this.value[i];
    }
  }

  /** The pair's number; a new pair gets the next one (0, 1, 2, …). */
  add(a: number, b: number): number {
    for (let i = this.slot(a, b); ; i = (i + 1) & this.mask) {
      if (this.keyA[i] === -1) {
        this.keyA[i] = a;
        this.keyB[i] = b;
        this.value[i] = this.size++;
        if (this.size * 2 > this.mask) this.grow();
        return this.size - 1;
      }
      if (this.keyA[i] === a && this.keyB[i] === b) return this.value[i];
    }
  }

  private slot(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77)) & this.mask;
  }

  private grow(): void {
    const { keyA, keyB, value } = this;
    const capacity = keyA.length * 2;
    this.keyA = new Int32Array(capacity).fill(-1);
    this.keyB = new Int32Array(capacity);
    this.value = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let j = 0; j < keyA.length; j++) {
      if (keyA[j] === -1) continue;
      let i = this.slot(keyA[j], keyB[j]);
      while (this.keyA[i] !== -1) i = (i + 1) & this.mask;
      this.keyA[i] = keyA[j];
      this.keyB[i] = keyB[j];
      this.value[i] = value[j];
    }
  }
}
