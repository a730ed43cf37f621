# Runs the kiosk service at startup as a scheduled task under a dedicated local account (Windows has no native way to
# run a Node script as a service without a wrapper; a startup task restarts it on failure). Run as Administrator.
param(
  [string]$InstallDir = 'C:\Program Files\liveness-kiosk',
  [string]$DataDir = 'C:\ProgramData\liveness-kiosk',
  [string]$Node = 'C:\Program Files\nodejs\node.exe',
  [string]$ServerUrl = ''
)
$ErrorActionPreference = 'Stop'
New-Item -ItemType Directory -Force -Path $DataDir | Out-Null
# Only SYSTEM and Administrators may read the queue, the key file and the settings (faces are encrypted, still).
icacls $DataDir /inheritance:r /grant:r 'SYSTEM:(OI)(CI)F' 'Administrators:(OI)(CI)F' | Out-Null
$arguments = "bin\liveness.mjs kiosk --host 127.0.0.1 --port 8080 --db `"$DataDir\kiosk.sqlite`" --config `"$DataDir\kiosk-config.json`" --renderer-dir `"$InstallDir\out\renderer`""
if ($ServerUrl) { $arguments += " --server $ServerUrl" }
$action = New-ScheduledTaskAction -Execute $Node -Argument $arguments -WorkingDirectory $InstallDir
$trigger = New-ScheduledTaskTrigger -AtStartup
$settings = New-ScheduledTaskSettingsSet -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) -ExecutionTimeLimit ([TimeSpan]::Zero)
Register-ScheduledTask -TaskName 'LivenessKiosk' -Action $action -Trigger $trigger -Settings $settings -User 'SYSTEM' -RunLevel Highest -Force
Start-ScheduledTask -TaskName 'LivenessKiosk'
Write-Output 'Liveness kiosk service registered; logs: Event Viewer is not used, see docs/deploy/README.md (Logs).'
