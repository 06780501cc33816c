// Token bucket: `rate` tokens a second, holding at most `burst`. One per message.
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private rate: number, private burst: number, now = performance.now()) {
    this.tokens = burst;
    this.last = now;
  }

  take(now = performance.now()): boolean {
    const t = this.tokens + ((now - this.last) * this.rate) / 1000;
    this.tokens = t > this.burst ? this.burst : t;
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  setRate(rate: number, burst = rate * 2): void {
    this.rate = rate;
    this.burst = burst;
  }
}
