CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`room_id` text NOT NULL,
	`sender` text NOT NULL,
	`thread_root` text,
	`file_name` text NOT NULL,
	`mxc_url` text NOT NULL,
	`mimetype` text,
	`declared_size` integer,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`run_after` integer NOT NULL,
	`lease_until` integer,
	`acked_at` integer,
	`result` text,
	`last_error` text,
	`delivered_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_event_id_unique` ON `jobs` (`event_id`);--> statement-breakpoint
CREATE INDEX `jobs_status_run_after` ON `jobs` (`status`,`run_after`);--> statement-breakpoint
CREATE INDEX `jobs_status_created_at` ON `jobs` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `jobs_unacknowledged` ON `jobs` (`created_at`) WHERE acked_at IS NULL;--> statement-breakpoint
CREATE INDEX `jobs_undelivered` ON `jobs` (`updated_at`) WHERE delivered_at IS NULL AND status IN ('completed', 'failed');--> statement-breakpoint
CREATE TABLE `rooms` (
	`room_id` text PRIMARY KEY NOT NULL,
	`membership` text NOT NULL,
	`inviter` text,
	`encrypted` integer DEFAULT false NOT NULL,
	`encryption_notice_at` integer,
	`updated_at` integer NOT NULL
);
