DROP INDEX `jobs_sender_created_at`;--> statement-breakpoint
DROP INDEX `jobs_room_created_at`;--> statement-breakpoint
CREATE INDEX `jobs_sender_created_at` ON `jobs` (`sender`,`created_at`) WHERE status != 'refused';--> statement-breakpoint
CREATE INDEX `jobs_room_created_at` ON `jobs` (`room_id`,`created_at`) WHERE status != 'refused';