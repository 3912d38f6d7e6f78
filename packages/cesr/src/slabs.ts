/**
 * @module slabs
 * Fresh pieces of memory carved out of shared slabs, as Node pools small Buffers: one allocation
 * serves many small copies, where an ArrayBuffer per copy costs about as much as the work that
 * needs it. A piece is never handed out twice, and a slab lives as long as any piece cut from it,
 * so a piece kept for long keeps at most one slab alive; pieces larger than `ownAbove` get an
 * allocation of their own. Slabs are far above V8's on-heap typed-array size, so their memory
 * never moves (native code may keep its address).
 */
export class Slabs {
  private slab = new Uint8Array(0);
  private used = 0;

  constructor(
    private readonly slabSize: number,
    private readonly ownAbove: number,
  ) {}

  /** `size` bytes that no other piece shares. */
  take(size: number): Uint8Array {
    if (size > this.ownAbove) return new Uint8Array(size);
    if (this.used + size > this.slab.length) {
      this.slab = new Uint8Array(this.slabSize);
      this.used = 0;
    }
    const piece = this.slab.subarray(this.used, this.used + size);
    this.used += size;
    return piece;
  }
}
