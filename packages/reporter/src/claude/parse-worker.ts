import { parentPort, workerData } from 'node:worker_threads';
import { fileState, type ReadOptions } from '../tail/jsonl.js';
import { CHUNK_BYTES, chunkBytes, type ReadJob, readChunk, type WorkerRequest } from './chunk.js';

/**
 * A Claude parse worker (see ChunkReader): reads and parses the files it is given, in order, one chunk
 * per message, as many bytes ahead as the credit the reporter's thread grants.
 */
const read = (workerData as { read?: ReadOptions } | undefined)?.read;
let gen = 0;
let jobs: ReadJob[] = [];
let index = 0;
let offset = 0;
let credits = 0;

function pump(): void {
  while (credits > 0 && index < jobs.length) {
    const job = jobs[index] as ReadJob;
    // No further than the size the poll saw, as the reporter's thread reads (a file written faster than it is
    // read would keep the worker from the files after it).
    const st = fileState(job.path);
    const upTo = st && { ino: st.ino, size: Math.min(st.size, job.until) };
    const chunk = readChunk(job.path, upTo, offset, CHUNK_BYTES, { ...read, until: job.until });
    parentPort?.postMessage({ gen, chunk });
    credits -= chunkBytes(chunk);
    if (chunk.done || chunk.st === undefined) {
      index++;
      offset = jobs[index]?.start ?? 0;
    } else offset = chunk.end;
  }
}

parentPort?.on('message', (m: WorkerRequest) => {
  if (m.type === 'begin') {
    ({ gen, jobs, credits } = m);
    index = 0;
    offset = jobs[0]?.start ?? 0;
  } else if (m.gen !== gen) return;
  else if (m.type === 'more') {
    // Reading had run out of files: it resumes at the first one added.
    if (index === jobs.length) offset = m.jobs[0]?.start ?? 0;
    for (const job of m.jobs) jobs.push(job);
  } else if (m.type === 'credit') credits += m.bytes;
  else {
    jobs = [];
    index = 0;
  }
  pump();
});
