/**
 * A set that can hand out random members in constant time: an array of the members and
 * each member's place in it; removal moves the last member into the gap. The relay's
 * crowd presence samples watchers and present peers from these, so the cost of an
 * arrival does not grow with the crowd.
 */
export class RandomSet<T> {
  private readonly items: T[] = [];
  private readonly places = new Map<T, number>();

  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    return this.places.has(item);
  }

  add(item: T): void {
    if (this.places.has(item)) return;
    this.places.set(item, this.items.length);
    this.items.push(item);
  }

  delete(item: T): boolean {
    const place = this.places.get(item);
    if (place === undefined) return false;
    const last = this.items.pop();
    this.places.delete(item);
    if (last !== undefined && place < this.items.length) {
      this.items[place] = last;
      this.places.set(last, place);
    }
    return true;
  }

  /** The member at `index` (0 ≤ index < size): with a random index, a random member. */
  at(index: number): T | undefined {
    return this.items[index];
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.items[Symbol.iterator]();
  }
}
