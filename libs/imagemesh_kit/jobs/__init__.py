"""Durable background jobs: rows in the owning service's database, claimed by that service's workers.

- `model`  : Job, JobState, how failures are classified (transient -> retry, user error -> fail now).
- `table`  : the jobs table definition (each service has its own, in its own database) + migration helper.
- `store`  : create / get / list / cancel / delete, and the worker side: claim (FOR UPDATE SKIP LOCKED on
             PostgreSQL), lease renewal, progress, finish, retry; watch streams.
- `worker` : a pool that claims jobs and runs handlers, renewing leases, honouring cancellation.
- `resource`: one job kind as its owner's resource: get / list / cancel / delete / watch (NOT_FOUND for
             other users' jobs, admins see all), errors named after the resource.
- `rpcs`   : a resource's Get/List/Cancel/Delete/Watch RPCs (request -> response message) for servicers.
- `proto`  : Job -> imagemesh.jobs.v1.JobStatus.
"""
