// /metrics sums every process, which only the primary can reach: a worker serving the request asks
// the primary to collect and waits for the text.
export class MetricsViaPrimary {
  private seq = 0;
  private readonly waiting = new Map<number, (text: string) => void>();

  constructor(private readonly send: (m: object) => void) {}

  collect(timeoutMs = 3000): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const id = ++this.seq;
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('metrics collection timed out'));
      }, timeoutMs);
      this.waiting.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      this.send({ t: 'metrics.collect', id });
    });
  }

  result(id: number, text: string): void {
    this.waiting.get(id)?.(text);
    this.waiting.delete(id);
  }
}
