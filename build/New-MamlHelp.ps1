# Placeholder: replaced by the MAML generator of the help pipeline.
param([string] $ModulePath, [string] $DocsPath, [string] $OutputPath)
$xml = '<?xml version="1.0" encoding="utf-8"?><helpItems schema="maml" xmlns="http://msh"></helpItems>'
Set-Content -Path (Join-Path $OutputPath 'JailsModule.dll-Help.xml') -Value $xml -Encoding utf8NoBOM
