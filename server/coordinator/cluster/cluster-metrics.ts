// The cluster's gauges for /metrics. Only the coordinator sets them (it alone talks to Redis); the
// primary's sum over processes then reads the coordinator's value.
import { Gauge } from 'prom-client';
import { registry } from '../../metrics/registry.js';

export const clusterHosts = new Gauge({
  name: 'shoal_cluster_hosts', help: 'Live hosts of this world (heartbeat not expired; 1 with the file store), as this host last read them', registers: [registry],
});
