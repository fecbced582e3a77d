import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OutputFile, TailBuffer } from '../../src/spawner/output.js';
import { tempDir } from '../helpers/fixtures.js';

void describe('OutputFile', () => {
  void it('holds every chunk, in order, once ended', async () => {
    const dir = tempDir('vp-output-');
    try {
      const path = join(dir.path, 'stdout.jsonl');
      const file = new OutputFile(path, new PassThrough());
      const lines = Array.from({ length: 2000 }, (_, i) => `{"n":${i}}\n`);
      for (const line of lines) file.write(Buffer.from(line));
      file.write(Buffer.alloc(100_000, 0x61)); // larger than a batch
      file.write(Buffer.from('end\n'));
      await file.end();
      assert.equal(readFileSync(path, 'utf8'), lines.join('') + 'a'.repeat(100_000) + 'end\n');
    } finally {
      dir.remove();
    }
  });

  void it('writes what is pending when the process exits before the next flush', () => {
    const dir = tempDir('vp-output-exit-');
    try {
      const path = join(dir.path, 'stdout.jsonl');
      const script = [
        `import { OutputFile } from ${JSON.stringify(join(process.cwd(), 'src/spawner/output.ts'))};`,
        `import { PassThrough } from 'node:stream';`,
        `const file = new OutputFile(${JSON.stringify(path)}, new PassThrough());`,
        `file.write(Buffer.from('first\\n'));`,
        // Once the file is open and the first batch written, a second batch waits for the timer; exit first.
        `setTimeout(() => { file.flush(); setTimeout(() => { file.write(Buffer.from('second\\n')); process.exit(0); }, 100); }, 100);`,
      ].join('\n');
      const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      assert.equal(readFileSync(path, 'utf8'), 'first\nsecond\n');
    } finally {
      dir.remove();
    }
  });
});

void describe('TailBuffer', () => {
  void it('keeps exactly the last maxBytes', () => {
    const tail = new TailBuffer(1024);
    let all = '';
    for (let i = 0; i < 500; i++) {
      const chunk = `line ${i}\n`;
      all += chunk;
      tail.push(Buffer.from(chunk));
    }
    assert.equal(tail.toString(), all.slice(-1024));
  });

  void it('copies what it keeps: a chunk reused after the push does not change the tail', () => {
    const tail = new TailBuffer(64 * 1024);
    const chunk = Buffer.from('first line\n');
    tail.push(chunk);
    chunk.fill(0x78);
    tail.push(Buffer.from('second line\n'));
    assert.equal(tail.toString(), 'first line\nsecond line\n');
  });

  void it('keeps a bounded number of bytes over a long stream of small chunks', () => {
    const tail = new TailBuffer(64 * 1024);
    let all = '';
    for (let i = 0; i < 20_000; i++) {
      const line = `{"type":"assistant","n":${i}}\n`;
      all += line;
      tail.push(Buffer.from(line));
      assert.ok(tail.heldBytes <= 80 * 1024);
    }
    assert.equal(tail.toString(), all.slice(-64 * 1024));
  });

  void it('holds the last maxBytes of any sequence of chunks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 60 }), (max, chunks) => {
        const tail = new TailBuffer(max);
        for (const c of chunks) tail.push(Buffer.from(c));
        const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
        assert.deepEqual(Buffer.from(tail.toString(), 'utf8'), Buffer.from(all.subarray(Math.max(0, all.length - max)).toString('utf8'), 'utf8'));
        assert.ok(tail.heldBytes >= Math.min(all.length, max) && tail.heldBytes <= max + 16 * 1024, `holds ${tail.heldBytes} bytes`);
      }),
    );
  });
});
