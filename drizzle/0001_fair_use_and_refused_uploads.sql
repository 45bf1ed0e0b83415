DROP INDEX `jobs_undelivered`;--> statement-breakpoint
CREATE INDEX `jobs_owed_answer` ON `jobs` (`updated_at`) WHERE delivered_at IS NULL AND status IN ('completed', 'failed', 'refused');--> statement-breakpoint
CREATE INDEX `jobs_sender_created_at` ON `jobs` (`sender`,`created_at`);--> statement-breakpoint
CREATE INDEX `jobs_room_created_at` ON `jobs` (`room_id`,`created_at`);