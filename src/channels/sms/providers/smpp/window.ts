/**
 * @module The submit window: at most `size` submit_sm waiting for their submit_sm_resp, handed out
 * first come first served (so a batch leaves in order). `slowDown(ms)` narrows it to one for a while
 * after the SMSC said it is throttling us or its queue is full.
 */
export class SubmitWindow {
  private inUse = 0;
  private narrowUntil = 0;
  private readonly queue: Array<() => void> = [];
  private widenTimer: NodeJS.Timeout | null = null;

  constructor(private readonly size: number) {}

  private get limit(): number {
    return performance.now() < this.narrowUntil ? 1 : this.size;
  }

  get outstanding(): number {
    return this.inUse;
  }

  /** Takes a slot if one is free now (no await needed); false otherwise. */
  tryAcquire(): boolean {
    if (this.queue.length > 0 || this.inUse >= this.limit) return false;
    this.inUse++;
    return true;
  }

  acquire(): Promise<void> {
    if (this.queue.length === 0 && this.inUse < this.limit) {
      this.inUse++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  release(): void {
    this.inUse--;
    this.drain();
  }

  slowDown(ms: number): void {
    this.narrowUntil = Math.max(this.narrowUntil, performance.now() + ms);
    if (this.widenTimer) clearTimeout(this.widenTimer);
    this.widenTimer = setTimeout(() => {
      this.widenTimer = null;
      this.drain();
    }, ms);
    this.widenTimer.unref();
  }

  close(): void {
    if (this.widenTimer) clearTimeout(this.widenTimer);
    this.widenTimer = null;
    this.narrowUntil = 0;
    this.drain();
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inUse < this.limit) {
      this.inUse++;
      this.queue.shift()!();
    }
  }
}
