import type { FastifyInstance } from 'fastify';
import { getJob } from '../../jobs/jobStatus';
import { notFound, parseInput } from '../httpErrors';
import { jobParams } from '../inputs';
import { jobView } from '../jobView';
import type { AdminDeps } from './deps';

export function jobRoutes(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/api/jobs/:jobId', async (req) => {
    const { jobId } = parseInput(jobParams, req.params, 'jobId');
    const job = await getJob(deps.ctx.db, jobId);
    if (!job) throw notFound(`unknown job "${jobId}"`);
    return jobView(job);
  });
}
