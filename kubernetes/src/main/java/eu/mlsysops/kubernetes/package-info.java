/** Running MLSysOps components on Kubernetes. */
package eu.mlsysops.kubernetes;
