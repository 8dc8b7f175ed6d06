#!/usr/bin/env python3
"""The seed's own flow-log algorithm (seed 002, `network_isolation/monitoring.py`,
`AINetworkMonitor.analyze_flow_log`), verbatim but for indentation, run over an AWS v2 text
log: the reference issue 14 compares `zonescope flows` with ("at least 25x faster than the
seed's Python algorithm"). Usage: bench/seed-flows.py LOG -> prints records, anomalies, seconds.
It judges nothing against a design (the seed has none): it is the floor a tool must beat."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Optional


@dataclass
class NetworkAnomaly:
    anomaly_id: str
    severity: str
    anomaly_type: str
    source_zone: str
    destination: str
    description: str
    detected_at: datetime
    evidence: dict


class AINetworkMonitor:
    def __init__(self):
        self.anomalies: list[NetworkAnomaly] = []
        self._anomaly_counter = 0

    def analyze_flow_log(self, flow_record: dict) -> Optional[NetworkAnomaly]:
        src_ip = flow_record.get("srcaddr", "")
        dst_ip = flow_record.get("dstaddr", "")
        dst_port = flow_record.get("dstport", 0)
        bytes_transferred = flow_record.get("bytes", 0)
        action = flow_record.get("action", "")  # noqa: F841 (the seed reads it too)
        if self._is_data_zone(src_ip) and not self._is_internal(dst_ip):
            self._anomaly_counter += 1
            return NetworkAnomaly(
                anomaly_id=f"NET-ANOM-{self._anomaly_counter:04d}",
                severity="critical",
                anomaly_type="data_zone_egress",
                source_zone="data",
                destination=dst_ip,
                description=(
                    f"Data zone IP {src_ip} attempted external connection to {dst_ip}:{dst_port}. "
                    "Data zone should have no internet access."
                ),
                detected_at=datetime.utcnow(),
                evidence=flow_record,
            )
        if self._is_inference_zone(src_ip) and bytes_transferred > 100 * 1024 * 1024:
            self._anomaly_counter += 1
            return NetworkAnomaly(
                anomaly_id=f"NET-ANOM-{self._anomaly_counter:04d}",
                severity="high",
                anomaly_type="large_transfer",
                source_zone="inference",
                destination=dst_ip,
                description=(
                    f"Large data transfer ({bytes_transferred / 1024 / 1024:.1f} MB) "
                    f"from inference zone to {dst_ip}. "
                    "Potential model weights or training data exfiltration."
                ),
                detected_at=datetime.utcnow(),
                evidence=flow_record,
            )
        approved_ai_endpoints = [
            "bedrock-runtime", "openai.azure.com",
            "aiplatform.googleapis.com",
        ]
        if (self._is_inference_zone(src_ip)
                and not self._is_internal(dst_ip)
                and not any(ep in str(dst_ip) for ep in approved_ai_endpoints)):
            self._anomaly_counter += 1
            return NetworkAnomaly(
                anomaly_id=f"NET-ANOM-{self._anomaly_counter:04d}",
                severity="medium",
                anomaly_type="unapproved_endpoint",
                source_zone="inference",
                destination=dst_ip,
                description=(
                    f"Inference zone connected to unapproved external endpoint {dst_ip}:{dst_port}. "
                    "Only approved AI service endpoints should be accessible."
                ),
                detected_at=datetime.utcnow(),
                evidence=flow_record,
            )
        return None

    def _is_data_zone(self, ip: str) -> bool:
        return ip.startswith("10.0.3.")

    def _is_inference_zone(self, ip: str) -> bool:
        return ip.startswith("10.0.2.")

    def _is_internal(self, ip: str) -> bool:
        return (ip.startswith("10.") or ip.startswith("172.16.")
                or ip.startswith("192.168."))


FIELDS = ("version account_id interface_id srcaddr dstaddr srcport dstport protocol packets "
          "bytes start end action log_status").split()


def main() -> None:
    t0 = time.perf_counter()
    mon = AINetworkMonitor()
    records = anomalies = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != len(FIELDS) or parts[0] == "version" or parts[13] != "OK":
                continue
            rec = dict(zip(FIELDS, parts))
            rec["dstport"] = int(rec["dstport"])
            rec["bytes"] = int(rec["bytes"])
            records += 1
            if mon.analyze_flow_log(rec) is not None:
                anomalies += 1
    print(f"{records} records, {anomalies} anomalies, {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
