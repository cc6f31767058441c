"""Reports: the biweekly 工作成果彙報表 (附件2), the 工作紀錄表 (附件1), exports, dashboard."""
