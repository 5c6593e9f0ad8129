//! Every UI string, in English, Simplified Chinese and Traditional Chinese.
//! Placeholders are written `{name}` and filled by `i18n::tf`.

use super::Locale;

macro_rules! messages {
    ($($name:ident => $en:literal, $hans:literal, $hant:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($name,)* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$name,)*];

            /// Stable name of the message, used when an error names it.
            pub fn key(self) -> &'static str {
                match self { $(Msg::$name => stringify!($name),)* }
            }

            pub fn from_key(key: &str) -> Option<Msg> {
                match key { $(stringify!($name) => Some(Msg::$name),)* _ => None }
            }
        }

        pub(super) fn text(locale: Locale, msg: Msg) -> &'static str {
            match locale {
                Locale::En => match msg { $(Msg::$name => $en,)* },
                Locale::ZhHans => match msg { $(Msg::$name => $hans,)* },
                Locale::ZhHant => match msg { $(Msg::$name => $hant,)* },
            }
        }
    };
}

messages! {
    AppName => "Tongbu", "同步", "同步";
    AppTagline => "One post, every channel, one report.", "一次撰写，全渠道发布，一份报告。", "一次撰寫，全渠道發佈，一份報告。";
    Language => "Language", "语言", "語言";
    Loading => "Loading…", "加载中…", "載入中…";
    Save => "Save", "保存", "儲存";
    Saved => "Saved.", "已保存。", "已儲存。";
    Cancel => "Cancel", "取消", "取消";
    Remove => "Remove", "移除", "移除";
    Copy => "Copy", "复制", "複製";
    Working => "Working…", "处理中…", "處理中…";

    // Navigation
    NavCalendar => "Calendar", "日历", "日曆";
    NavCompose => "Compose", "撰写", "撰寫";
    NavApprovals => "Approvals", "审批", "審批";
    NavChannels => "Channels", "渠道", "渠道";
    NavReports => "Reports", "报告", "報告";
    NavSettings => "Settings", "设置", "設定";
    NavMainLabel => "Main navigation", "主导航", "主導覽";
    Workspace => "Workspace", "工作区", "工作區";
    SwitchWorkspace => "Switch workspace", "切换工作区", "切換工作區";
    SignOut => "Sign out", "退出登录", "登出";
    SignedInAs => "Signed in as {name}", "当前登录：{name}", "目前登入：{name}";
    OpenMenu => "Menu", "菜单", "選單";

    // First-run setup
    SetupTitle => "Welcome to Tongbu", "欢迎使用同步", "歡迎使用同步";
    SetupIntro => "Create the first account. It owns the first workspace, usually your brand or client, and can invite the rest of the team.", "创建第一个账号。它将拥有第一个工作区（通常是你的品牌或客户），并可以邀请团队其他成员。", "建立第一個帳號。它將擁有第一個工作區（通常是你的品牌或客戶），並可以邀請團隊其他成員。";
    SetupSubmit => "Create account and workspace", "创建账号和工作区", "建立帳號和工作區";
    SetupDone => "This Tongbu is already set up. Sign in instead.", "此同步实例已完成设置，请直接登录。", "此同步實例已完成設定，請直接登入。";
    FieldDisplayName => "Your name", "你的名字", "你的名字";
    FieldEmail => "Email", "电子邮箱", "電子郵件";
    FieldPassword => "Password", "密码", "密碼";
    FieldWorkspaceName => "Workspace name", "工作区名称", "工作區名稱";
    FieldWorkspaceHint => "For example the brand or client you publish for.", "例如你为之发布内容的品牌或客户。", "例如你為之發佈內容的品牌或客戶。";
    PasswordHint => "At least 10 characters. A few unrelated words make a strong password.", "至少 10 个字符。几个不相关的词组成的密码很安全。", "至少 10 個字元。幾個不相關的詞組成的密碼很安全。";

    // Sign in
    LoginTitle => "Sign in", "登录", "登入";
    LoginSubmit => "Sign in", "登录", "登入";
    LoginIntro => "Sign in to plan, approve and publish.", "登录以策划、审批和发布内容。", "登入以規劃、審批和發佈內容。";
    SignedOut => "You have signed out.", "你已退出登录。", "你已登出。";
    SessionExpired => "Your session has ended. Sign in again to continue.", "会话已结束，请重新登录以继续。", "工作階段已結束，請重新登入以繼續。";

    // Empty states of areas that later releases fill
    CalendarTitle => "Calendar", "日历", "日曆";
    CalendarEmpty => "Nothing is scheduled yet.", "还没有已排期的内容。", "還沒有已排程的內容。";
    CalendarEmptyHint => "Scheduled posts will appear here by month and week, in your time zone. Scheduling is not available in this version yet.", "已排期的帖子将按月和周显示在这里，使用你的时区。此版本尚不支持排期。", "已排程的貼文將按月和週顯示在這裡，使用你的時區。此版本尚不支援排程。";
    ComposeTitle => "Compose", "撰写", "撰寫";
    ComposeEmpty => "The composer is not available in this version yet.", "此版本尚未提供撰写器。", "此版本尚未提供撰寫器。";
    ComposeEmptyHint => "You will write one post here, adapt it per channel with live previews, and send it for approval.", "你将在这里撰写一篇帖子，按渠道调整并实时预览，然后提交审批。", "你將在這裡撰寫一篇貼文，按渠道調整並即時預覽，然後提交審批。";
    ApprovalsTitle => "Approvals", "审批", "審批";
    ApprovalsEmpty => "Nothing is waiting for your review.", "没有等待你审核的内容。", "沒有等待你審核的內容。";
    ApprovalsEmptyHint => "Posts submitted for approval will queue here for approvers.", "提交审批的帖子会在这里排队等待审批人处理。", "提交審批的貼文會在這裡排隊等待審批人處理。";
    ChannelsTitle => "Channels", "渠道", "渠道";
    ChannelsEmpty => "No channels are connected yet.", "尚未连接任何渠道。", "尚未連接任何渠道。";
    ChannelsEmptyHint => "WeChat Official Accounts, Facebook Pages and X accounts will be connected here, with their health at a glance. Connecting channels is not available in this version yet.", "微信公众号、Facebook 主页和 X 账号将在这里连接，并一目了然地显示其状态。此版本尚不支持连接渠道。", "微信公眾號、Facebook 粉絲專頁和 X 帳號將在這裡連接，並一目了然地顯示其狀態。此版本尚不支援連接渠道。";
    ReportsTitle => "Reports", "报告", "報告";
    ReportsEmpty => "No reach data yet.", "还没有触达数据。", "還沒有觸及數據。";
    ReportsEmptyHint => "After posts are published, their reach and engagement on every platform will be collected and charted here.", "帖子发布后，各平台的触达和互动数据将在这里汇总并绘制成图表。", "貼文發佈後，各平台的觸及和互動數據將在這裡彙總並繪製成圖表。";
    ErrReportDate => "Dates must look like 2026-03-01.", "日期格式应为 2026-03-01。", "日期格式應為 2026-03-01。";
    ErrReportTimeZone => "Unknown time zone; use a name such as Asia/Shanghai.", "未知时区；请使用 Asia/Shanghai 这样的名称。", "未知時區；請使用 Asia/Shanghai 這樣的名稱。";
    ErrReportGroup => "Group by platform, channel, post or campaign.", "请按平台、渠道、帖子或活动分组。", "請按平台、渠道、貼文或活動分組。";
    ErrReportRange => "The range must end after it starts and cover at most two years.", "时间范围的结束须晚于开始，且最长两年。", "時間範圍的結束須晚於開始，且最長兩年。";
    ComingNext => "Coming in a later release", "将在后续版本提供", "將在後續版本提供";

    // Settings
    SettingsTitle => "Settings", "设置", "設定";
    ProfileTitle => "Profile", "个人资料", "個人資料";
    LanguagePreference => "Preferred language", "首选语言", "偏好語言";
    LanguageFollowBrowser => "Follow my browser", "跟随浏览器", "跟隨瀏覽器";
    PasswordTitle => "Password", "密码", "密碼";
    CurrentPassword => "Current password", "当前密码", "目前密碼";
    NewPassword => "New password", "新密码", "新密碼";
    ChangePassword => "Change password", "修改密码", "變更密碼";
    PasswordChanged => "Password changed. Other sessions have been signed out.", "密码已修改，其他会话已退出登录。", "密碼已變更，其他工作階段已登出。";
    TokensTitle => "API tokens", "API 令牌", "API 權杖";
    TokensIntro => "Personal tokens let scripts use the REST API as you, with your roles. Send them as Authorization: Bearer.", "个人令牌让脚本以你的身份和角色使用 REST API，请以 Authorization: Bearer 发送。", "個人權杖讓腳本以你的身分和角色使用 REST API，請以 Authorization: Bearer 傳送。";
    TokenName => "Token name", "令牌名称", "權杖名稱";
    CreateToken => "Create token", "创建令牌", "建立權杖";
    RevokeToken => "Revoke", "吊销", "撤銷";
    TokenCreated => "Copy this token now. It will not be shown again.", "请立即复制此令牌，它不会再次显示。", "請立即複製此權杖，它不會再次顯示。";
    NoTokens => "You have no API tokens.", "你还没有 API 令牌。", "你還沒有 API 權杖。";
    TokenLastUsed => "Last used", "最近使用", "最近使用";
    TokenNeverUsed => "Never used", "从未使用", "從未使用";
    Created => "Created", "创建时间", "建立時間";

    MembersTitle => "Members", "成员", "成員";
    MembersIntro => "Owners and admins invite people, change roles and reset passwords.", "所有者和管理员可以邀请成员、修改角色和重置密码。", "擁有者和管理員可以邀請成員、變更角色和重設密碼。";
    Role => "Role", "角色", "角色";
    RoleOwner => "Owner", "所有者", "擁有者";
    RoleAdmin => "Admin", "管理员", "管理員";
    RoleApprover => "Approver", "审批人", "審批人";
    RoleEditor => "Editor", "编辑", "編輯";
    RoleViewer => "Viewer", "查看者", "檢視者";
    RoleOwnerHint => "Everything, including other owners.", "拥有全部权限，包括管理其他所有者。", "擁有全部權限，包括管理其他擁有者。";
    RoleAdminHint => "Connects channels, manages members and policy.", "连接渠道、管理成员和策略。", "連接渠道、管理成員和策略。";
    RoleApproverHint => "Reviews and approves posts.", "审核并批准帖子。", "審核並批准貼文。";
    RoleEditorHint => "Writes and schedules posts.", "撰写并排期帖子。", "撰寫並排程貼文。";
    RoleViewerHint => "Reads the calendar and reports.", "查看日历和报告。", "檢視日曆和報告。";
    InviteTitle => "Invite someone", "邀请成员", "邀請成員";
    InviteSubmit => "Create invitation", "创建邀请", "建立邀請";
    InviteCreated => "Invitation created. Send this link to the person; it works once and expires in 7 days.", "邀请已创建。请把此链接发给对方；链接只能使用一次，7 天后失效。", "邀請已建立。請把此連結傳給對方；連結只能使用一次，7 天後失效。";
    MemberAdded => "{email} already has an account and has been added.", "{email} 已有账号，已被加入工作区。", "{email} 已有帳號，已被加入工作區。";
    PendingInvitations => "Pending invitations", "待接受的邀请", "待接受的邀請";
    Expires => "Expires", "过期时间", "到期時間";
    ResetPassword => "Reset password", "重置密码", "重設密碼";
    PasswordResetDone => "Temporary password below. Give it to the member privately; their sessions have ended and they should change it after signing in.", "以下是临时密码。请私下告知该成员；其所有会话已结束，请其登录后修改密码。", "以下是臨時密碼。請私下告知該成員；其所有工作階段已結束，請其登入後變更密碼。";
    You => "you", "你", "你";
    ConfirmRemove => "Remove this member from the workspace?", "确定要将此成员移出工作区吗？", "確定要將此成員移出工作區嗎？";
    NewWorkspace => "New workspace", "新建工作区", "新增工作區";
    CreateWorkspace => "Create workspace", "创建工作区", "建立工作區";
    JoinTitle => "Join {workspace}", "加入 {workspace}", "加入 {workspace}";
    JoinIntro => "You have been invited as {role}.", "你受邀成为{role}。", "你受邀成為{role}。";
    JoinExisting => "You already have an account. Sign in with it to accept.", "你已有账号，请使用该账号登录以接受邀请。", "你已有帳號，請使用該帳號登入以接受邀請。";
    JoinSubmit => "Accept invitation", "接受邀请", "接受邀請";
    InvitationInvalid => "This invitation is invalid, was already used or has expired.", "此邀请无效、已被使用或已过期。", "此邀請無效、已被使用或已過期。";

    NotFoundTitle => "Not found", "未找到", "找不到";
    NotFoundBody => "This page does not exist, or you do not have access to it.", "此页面不存在，或你没有访问权限。", "此頁面不存在，或你沒有存取權限。";
    BackHome => "Back to the dashboard", "返回控制台", "返回控制台";

    // Errors
    ErrUnauthenticated => "You need to sign in first.", "请先登录。", "請先登入。";
    ErrForbidden => "Your role in this workspace does not allow that.", "你在此工作区的角色无权执行此操作。", "你在此工作區的角色無權執行此操作。";
    ErrNotFound => "Not found.", "未找到。", "找不到。";
    ErrBadCredentials => "The email or password is wrong.", "邮箱或密码错误。", "電子郵件或密碼錯誤。";
    ErrThrottled => "Too many failed sign-in attempts. Try again in {minutes} minutes.", "登录失败次数过多，请在 {minutes} 分钟后重试。", "登入失敗次數過多，請在 {minutes} 分鐘後重試。";
    ErrCrossSite => "This request came from another site and was refused.", "此请求来自其他网站，已被拒绝。", "此請求來自其他網站，已被拒絕。";
    ErrInternal => "Something went wrong on our side. Reference: {reference}", "服务器出现问题。参考编号：{reference}", "伺服器發生問題。參考編號：{reference}";
    ErrTransport => "The server could not be reached. Check your connection and try again.", "无法连接服务器，请检查网络后重试。", "無法連線伺服器，請檢查網路後重試。";
    ErrEmailInvalid => "Enter a valid email address.", "请输入有效的电子邮箱地址。", "請輸入有效的電子郵件地址。";
    ErrPasswordTooShort => "The password must have at least 10 characters.", "密码至少需要 10 个字符。", "密碼至少需要 10 個字元。";
    ErrPasswordTooLong => "The password may have at most 256 characters.", "密码最多 256 个字符。", "密碼最多 256 個字元。";
    ErrNameInvalid => "Enter a name of 1 to 80 characters.", "请输入 1 到 80 个字符的名字。", "請輸入 1 到 80 個字元的名字。";
    ErrWorkspaceNameInvalid => "Enter a workspace name of 1 to 80 characters.", "请输入 1 到 80 个字符的工作区名称。", "請輸入 1 到 80 個字元的工作區名稱。";
    ErrTokenNameInvalid => "Enter a token name of 1 to 60 characters.", "请输入 1 到 60 个字符的令牌名称。", "請輸入 1 到 60 個字元的權杖名稱。";
    ErrRoleInvalid => "Choose one of the roles: owner, admin, approver, editor, viewer.", "请选择一个角色：所有者、管理员、审批人、编辑、查看者。", "請選擇一個角色：擁有者、管理員、審批人、編輯、檢視者。";
    ErrEmailTaken => "An account with this email already exists.", "该邮箱已注册账号。", "該電子郵件已註冊帳號。";
    ErrAlreadySetUp => "This Tongbu is already set up.", "此同步实例已完成设置。", "此同步實例已完成設定。";
    ErrAlreadyMember => "This person is already a member of the workspace.", "此人已是工作区成员。", "此人已是工作區成員。";
    ErrLastOwner => "A workspace needs at least one owner. Make someone else owner first.", "工作区至少需要一位所有者，请先将其他人设为所有者。", "工作區至少需要一位擁有者，請先將其他人設為擁有者。";
    ErrWrongCurrentPassword => "The current password is wrong.", "当前密码不正确。", "目前密碼不正確。";
    ErrCannotChangeOwnRole => "You cannot change or remove your own membership here.", "你不能在此修改或移除自己的成员身份。", "你不能在此變更或移除自己的成員身分。";
    ErrInvitationInvalid => "This invitation is invalid, was already used or has expired.", "此邀请无效、已被使用或已过期。", "此邀請無效、已被使用或已過期。";
    ErrInvalidBody => "The request body is not valid for this route.", "请求内容对此接口无效。", "請求內容對此介面無效。";
    // Post errors
    ErrNotAllowedInState => "This post cannot do that in its current state. Reload to see where it stands.", "此帖子在当前状态下无法执行该操作，请刷新查看其最新状态。", "此貼文在目前狀態下無法執行該操作，請重新整理查看其最新狀態。";
    ErrSelfApproval => "You wrote this post, so someone else has to approve it.", "这篇帖子是你写的，需要由其他人审批。", "這篇貼文是你寫的，需要由其他人審批。";
    ErrAlreadyApproved => "You have already approved this version.", "你已经批准过这个版本。", "你已經批准過這個版本。";
    ErrCommentRequired => "Say what needs to change, so the author knows what to fix.", "请说明需要修改什么，以便作者知道如何修正。", "請說明需要修改什麼，以便作者知道如何修正。";
    ErrAlreadyPublished => "A channel has already published this post, so it can no longer be changed or cancelled.", "已有渠道发布了此帖子，因此无法再修改或取消。", "已有渠道發佈了此貼文，因此無法再修改或取消。";
    ErrDeliveryNotResolvable => "This channel's delivery is not waiting for a decision any more (it moved on since you opened the page). Reload to see where it stands.", "此渠道的发布已不再等待决定（自你打开页面后状态已变化）。请刷新查看当前状态。", "此渠道的發佈已不再等待決定（自你開啟頁面後狀態已變化）。請重新整理查看目前狀態。";
    ErrPublishedUrl => "Give the address where the post can be seen, starting with https://", "请填写可查看该帖子的网址，以 https:// 开头", "請填寫可查看該貼文的網址，以 https:// 開頭";
    ErrStale => "Someone else changed this post since you opened it. Reload to see their changes; your text is kept in this browser.", "自你打开后，其他人修改了此帖子。请刷新查看其修改；你输入的内容已保存在此浏览器中。", "自你開啟後，其他人修改了此貼文。請重新整理查看其修改；你輸入的內容已保存在此瀏覽器中。";
    ErrUnknownChannel => "One of the chosen channels does not exist in this workspace.", "所选渠道中有一个不属于此工作区。", "所選渠道中有一個不屬於此工作區。";
    ErrUnknownMedia => "One of the attached files does not exist in this workspace.", "附件中有一个文件不属于此工作区。", "附件中有一個檔案不屬於此工作區。";
    ErrPostInvalid => "The post cannot be published as written. Fix the problems marked per channel.", "帖子当前内容无法发布，请修正各渠道标出的问题。", "貼文目前內容無法發佈，請修正各渠道標出的問題。";
    ErrNoChannels => "Pick at least one channel.", "请至少选择一个渠道。", "請至少選擇一個渠道。";
    ErrNoSchedule => "Pick when the post goes out.", "请选择发布时间。", "請選擇發佈時間。";
    ErrInPast => "That time has already passed. Pick a later time.", "该时间已经过去，请选择更晚的时间。", "該時間已經過去，請選擇更晚的時間。";
    ErrNonexistentLocalTime => "That local time does not exist on that day: the clocks skip it for daylight saving. Choose the time just before or just after.", "该本地时间在当天不存在（夏令时跳过了这段时间），请选择之前或之后的时间。", "該本地時間在當天不存在（夏令時跳過了這段時間），請選擇之前或之後的時間。";
    ErrAmbiguousLocalTime => "That local time happens twice on that day: the clocks go back. Choose the first or the second one.", "该本地时间在当天出现两次（时钟回拨），请选择第一次或第二次。", "該本地時間在當天出現兩次（時鐘回撥），請選擇第一次或第二次。";
    ErrInvalidTime => "That date and time cannot be used.", "无法使用该日期和时间。", "無法使用該日期和時間。";
    ErrUnknownZone => "Unknown time zone. Use a name such as Asia/Shanghai or America/New_York.", "未知时区，请使用 Asia/Shanghai 或 America/New_York 这样的名称。", "未知時區，請使用 Asia/Shanghai 或 America/New_York 這樣的名稱。";
    ErrInvalidSlotSpec => "Posting slots look like: Mon-Fri 09:00, 18:00; Sat 10:00", "发布时段格式示例：Mon-Fri 09:00, 18:00; Sat 10:00", "發佈時段格式範例：Mon-Fri 09:00, 18:00; Sat 10:00";
    ErrNoFreeSlot => "A chosen channel has no free posting slot. Give it posting slots on the Channels page, or pick a time.", "所选渠道没有空闲的发布时段。请在渠道页面设置发布时段，或直接选择时间。", "所選渠道沒有空閒的發佈時段。請在渠道頁面設定發佈時段，或直接選擇時間。";
    ErrCampaignTooLong => "A campaign tag may have at most 64 characters.", "活动标签最多 64 个字符。", "活動標籤最多 64 個字元。";
    ErrTextTooLarge => "This post is too large to store.", "此帖子过大，无法保存。", "此貼文過大，無法保存。";
    ErrCommentEmpty => "Write a comment first.", "请先填写评论。", "請先填寫留言。";
    ErrCommentTooLong => "A comment may have at most 4,000 characters.", "评论最多 4000 个字符。", "留言最多 4000 個字元。";
    ErrChannelName => "Enter a channel name of 1 to 80 characters.", "请输入 1 到 80 个字符的渠道名称。", "請輸入 1 到 80 個字元的渠道名稱。";
    ErrApprovalsRequired => "Approvals needed must be between 0 and 10.", "所需审批数必须在 0 到 10 之间。", "所需審批數必須在 0 到 10 之間。";
    ErrRangeOrder => "The end of the range is before its start.", "结束时间早于开始时间。", "結束時間早於開始時間。";
    ErrMediaEmpty => "The file is empty.", "文件为空。", "檔案為空。";
    ErrMediaType => "Only PNG, JPEG, GIF, WebP images and MP4 videos can be attached.", "仅支持 PNG、JPEG、GIF、WebP 图片和 MP4 视频。", "僅支援 PNG、JPEG、GIF、WebP 圖片和 MP4 影片。";
    ErrMediaTooLarge => "The file is too large: images up to 5 MB, GIFs up to 15 MB, videos up to 50 MB.", "文件过大：图片最大 5 MB，GIF 最大 15 MB，视频最大 50 MB。", "檔案過大：圖片最大 5 MB，GIF 最大 15 MB，影片最大 50 MB。";
    ErrNoEmulator => "The built-in platform emulator is not running on this server (start it with TONGBU_EMULATOR=1).", "此服务器未运行内置平台模拟器（设置 TONGBU_EMULATOR=1 启动）。", "此伺服器未執行內建平台模擬器（設定 TONGBU_EMULATOR=1 啟動）。";
    ErrBaseUrl => "Enter an http:// or https:// address, or leave it empty for the platform's own.", "请输入 http:// 或 https:// 地址，留空则使用平台自己的地址。", "請輸入 http:// 或 https:// 位址，留空則使用平台自己的位址。";
    ErrProxy => "The proxy address is not valid: {detail}", "代理地址无效：{detail}", "代理位址無效：{detail}";
    ErrNotConnected => "This channel is not connected to an account yet.", "此渠道尚未连接账号。", "此渠道尚未連接帳號。";
    ErrPlatformRefused => "The platform refused: {detail}", "平台拒绝了请求：{detail}", "平台拒絕了請求：{detail}";
    ErrWrongPlatform => "That does not apply to this channel's platform.", "这不适用于此渠道的平台。", "這不適用於此渠道的平台。";
    ErrWechatCredentials => "Enter the Official Account's AppID and AppSecret.", "请输入公众号的 AppID 和 AppSecret。", "請輸入公眾號的 AppID 和 AppSecret。";
    ErrBlueskyCredentials => "Enter the account's handle (for example brand.bsky.social) and an app password.", "请输入账号的用户名（例如 brand.bsky.social）和应用密码。", "請輸入帳號的使用者名稱（例如 brand.bsky.social）和應用程式密碼。";
    ErrBlueskyAppPassword => "Use an app password (four groups of four characters, xxxx-xxxx-xxxx-xxxx), not the account's own password: create one in Bluesky under Settings → Privacy and security → App passwords.", "请使用应用密码（四组四个字符，xxxx-xxxx-xxxx-xxxx），而不是账号本身的密码：在 Bluesky「设置 → 隐私与安全 → 应用密码」中创建。", "請使用應用程式密碼（四組四個字元，xxxx-xxxx-xxxx-xxxx），而非帳號本身的密碼：在 Bluesky「設定 → 隱私與安全 → 應用程式密碼」中建立。";
    ErrMastodonInstance => "Enter the account's Mastodon server, for example mastodon.social.", "请输入账号所在的 Mastodon 服务器，例如 mastodon.social。", "請輸入帳號所在的 Mastodon 伺服器，例如 mastodon.social。";
    ErrMastodonVisibility => "Visibility must be public, unlisted, followers only or direct.", "可见范围必须是公开、不公开列出、仅关注者或私信。", "可見範圍必須是公開、不公開列出、僅追蹤者或私訊。";
    ErrOauthAppMissing => "No app is configured for connecting this platform: set its app id and secret (see the README).", "尚未配置用于连接此平台的应用：请设置应用 ID 和密钥（见 README）。", "尚未設定用於連接此平台的應用：請設定應用 ID 和密鑰（見 README）。";
    ErrOauthState => "The sign-in with the platform expired or did not start here. Start connecting again.", "平台登录已过期或并非从此处发起，请重新连接。", "平台登入已過期或並非從此處發起，請重新連接。";
    ErrOauthDenied => "Access was not granted on the platform, so the channel was not connected.", "未在平台上授权，渠道未连接。", "未在平台上授權，渠道未連接。";
    ErrNoPages => "This account manages no Facebook Page that could be connected.", "此账号没有可连接的 Facebook 主页。", "此帳號沒有可連接的 Facebook 粉絲專頁。";
    ErrNoOrganizations => "This LinkedIn member holds no administrator or content role on an organization page, so there is nothing to connect.", "此 LinkedIn 成员在任何组织主页上都没有管理员或内容角色，没有可连接的主页。", "此 LinkedIn 成員在任何組織專頁上都沒有管理員或內容角色，沒有可連接的專頁。";
    PickPageTitle => "Choose a Facebook Page", "选择 Facebook 主页", "選擇 Facebook 粉絲專頁";
    PickPageLead => "Which Page should this channel publish to?", "此渠道应发布到哪个主页？", "此渠道應發佈到哪個粉絲專頁？";
    PickOrganizationTitle => "Choose a LinkedIn page", "选择 LinkedIn 主页", "選擇 LinkedIn 專頁";
    PickOrganizationLead => "Which organization page should this channel publish to?", "此渠道应发布到哪个组织主页？", "此渠道應發佈到哪個組織專頁？";
    ErrWorkspaceAmbiguous => "You belong to several workspaces. Name one with the workspace query parameter or the Tongbu-Workspace header.", "你属于多个工作区，请用 workspace 查询参数或 Tongbu-Workspace 请求头指定一个。", "你屬於多個工作區，請用 workspace 查詢參數或 Tongbu-Workspace 請求標頭指定一個。";

    // Post states
    StateDraft => "Draft", "草稿", "草稿";
    StateInReview => "In review", "审核中", "審核中";
    StateChangesRequested => "Changes requested", "需要修改", "需要修改";
    StateScheduled => "Scheduled", "已排期", "已排程";
    StatePublishing => "Publishing", "发布中", "發佈中";
    StatePublished => "Published", "已发布", "已發佈";
    StatePartlyPublished => "Partly published", "部分渠道已发布", "部分渠道已發佈";
    StateFailed => "Failed to publish", "发布失败", "發佈失敗";
    StateNeedsAttention => "Needs attention", "需要处理", "需要處理";
    StateCancelled => "Cancelled", "已取消", "已取消";

    // Actions
    ActSubmit => "Submit for approval", "提交审批", "提交審批";
    ActSchedule => "Schedule", "排期", "排程";
    ActApprove => "Approve", "批准", "批准";
    ActReject => "Request changes", "要求修改", "要求修改";
    ActWithdraw => "Withdraw to draft", "撤回为草稿", "撤回為草稿";
    ActCancel => "Cancel post", "取消帖子", "取消貼文";
    ActRetry => "Retry", "重试", "重試";
    ActEdit => "Edit", "编辑", "編輯";
    ConfirmCancelPost => "Cancel this post? It will not be published.", "确定取消此帖子吗？它将不会被发布。", "確定取消此貼文嗎？它將不會被發佈。";

    // Composer
    ComposeNew => "New post", "新建帖子", "新增貼文";
    ComposeEditing => "Editing post #{id}", "编辑帖子 #{id}", "編輯貼文 #{id}";
    ComposeText => "Post text", "帖子正文", "貼文內文";
    ComposeTextHint => "Written once for every channel. Adapt it per channel below where needed.", "为所有渠道撰写一次，需要时可在下方按渠道调整。", "為所有渠道撰寫一次，需要時可在下方按渠道調整。";
    ComposeChannels => "Channels", "渠道", "渠道";
    ComposeNoChannels => "This workspace has no channels yet. An admin can add them on the Channels page.", "此工作区还没有渠道，管理员可以在渠道页面添加。", "此工作區還沒有渠道，管理員可以在渠道頁面新增。";
    ComposeLink => "Link", "链接", "連結";
    ComposeTitleField => "Article title (WeChat)", "文章标题（微信）", "文章標題（微信）";
    ComposeDigest => "Digest (WeChat)", "摘要（微信）", "摘要（微信）";
    ComposeCampaign => "Campaign tag", "活动标签", "活動標籤";
    ComposeUtm => "Add UTM parameters to links (source = each channel's platform)", "为链接添加 UTM 参数（来源为各渠道的平台）", "為連結新增 UTM 參數（來源為各渠道的平台）";
    ComposeThread => "Let long text become a thread (X, Bluesky, Mastodon)", "长文本可拆分为串文（X、Bluesky、Mastodon）", "長文字可拆分為串文（X、Bluesky、Mastodon）";
    ComposeMedia => "Images and video", "图片和视频", "圖片和影片";
    ComposeMediaHint => "PNG, JPEG, GIF, WebP or MP4. The first image is the WeChat cover.", "支持 PNG、JPEG、GIF、WebP 或 MP4。第一张图片将作为微信封面。", "支援 PNG、JPEG、GIF、WebP 或 MP4。第一張圖片將作為微信封面。";
    ComposeAltText => "Alt text", "替代文字", "替代文字";
    ComposeUploading => "Uploading…", "上传中…", "上傳中…";
    ComposeVariant => "Adapt for this channel", "为此渠道单独调整", "為此渠道單獨調整";
    ComposeVariantLink => "Link for this channel (leave empty for the post's link)", "此渠道的链接（留空则使用帖子的链接）", "此渠道的連結（留空則使用貼文的連結）";
    ComposeVariantMedia => "Attachments for this channel", "此渠道的附件", "此渠道的附件";
    ComposeVariantRemove => "Use the main text", "使用主文本", "使用主文字";
    ComposeVariantText => "Text for {channel}", "{channel} 的正文", "{channel} 的內文";
    ComposePreview => "Preview", "预览", "預覽";
    ComposeSchedule => "When", "发布时间", "發佈時間";
    ComposeWhenNone => "Not scheduled yet", "暂不排期", "暫不排程";
    ComposeWhenAt => "At a date and time in a time zone", "指定时区的日期和时间", "指定時區的日期和時間";
    ComposeWhenSameLocal => "The same local time in each channel's time zone", "各渠道时区的相同本地时间", "各渠道時區的相同本地時間";
    ComposeWhenApproved => "As soon as approved", "批准后立即发布", "批准後立即發佈";
    ComposeWhenSlot => "Each channel's next free posting slot", "各渠道下一个空闲发布时段", "各渠道下一個空閒發佈時段";
    ComposeDate => "Date and time", "日期和时间", "日期和時間";
    ComposeZone => "Time zone", "时区", "時區";
    ComposeDstGap => "This time does not exist in {zone} on that day (clocks spring forward).", "该时间在当天的 {zone} 不存在（时钟拨快）。", "該時間在當天的 {zone} 不存在（時鐘撥快）。";
    ComposeDstFold => "This time happens twice in {zone} on that day (clocks go back).", "该时间在当天的 {zone} 出现两次（时钟回拨）。", "該時間在當天的 {zone} 出現兩次（時鐘回撥）。";
    ComposeDstEarlier => "Use the earlier instant ({at})", "使用较早的时刻（{at}）", "使用較早的時刻（{at}）";
    ComposeDstLater => "Use the later instant ({at})", "使用较晚的时刻（{at}）", "使用較晚的時刻（{at}）";
    ComposeSaveDraft => "Save draft", "保存草稿", "儲存草稿";
    ComposeSaved => "Saved as revision {n}.", "已保存为第 {n} 版。", "已儲存為第 {n} 版。";
    ComposeAutosaved => "Draft saved automatically.", "草稿已自动保存。", "草稿已自動儲存。";
    ComposeUnsaved => "Unsaved changes are kept in this browser.", "未保存的修改已保留在此浏览器中。", "未儲存的修改已保留在此瀏覽器中。";
    ComposeRestored => "Restored what you typed before the page was closed.", "已恢复页面关闭前输入的内容。", "已恢復頁面關閉前輸入的內容。";
    ComposeDiscardLocal => "Discard", "丢弃", "捨棄";
    ComposeOpenPost => "Open post", "打开帖子", "開啟貼文";
    ComposeCounter => "{length} / {limit}", "{length} / {limit}", "{length} / {limit}";
    ComposeThreadParts => "Goes out as a thread of {n} posts.", "将以 {n} 条串文发布。", "將以 {n} 則串文發佈。";
    ComposeAllGood => "Ready to publish", "可以发布", "可以發佈";

    // Content issues (per channel)
    IssueEmpty => "Nothing to publish: write some text.", "没有可发布的内容：请填写正文。", "沒有可發佈的內容：請填寫內文。";
    IssueRequiredTitle => "A title is required.", "必须填写标题。", "必須填寫標題。";
    IssueRequiredCover => "A cover image is required.", "必须有封面图片。", "必須有封面圖片。";
    IssueRequiredMedia => "At least one image is required.", "至少需要一张图片。", "至少需要一張圖片。";
    IssueRequiredOther => "Something required is missing.", "缺少必填内容。", "缺少必填內容。";
    IssueTooLong => "Too long: {length} of {limit}.", "过长：{length} / {limit}。", "過長：{length} / {limit}。";
    IssueTooLongTitle => "Title too long: {length} of {limit} characters.", "标题过长：{length} / {limit} 个字符。", "標題過長：{length} / {limit} 個字元。";
    IssueTooLongDigest => "Digest too long: {length} of {limit} characters.", "摘要过长：{length} / {limit} 个字符。", "摘要過長：{length} / {limit} 個字元。";
    IssueTooManyBytes => "Too large: {length} of {limit} bytes.", "过大：{length} / {limit} 字节。", "過大：{length} / {limit} 位元組。";
    IssueTooManyMedia => "Too many attachments: {actual}, at most {max}.", "附件过多：{actual} 个，最多 {max} 个。", "附件過多：{actual} 個，最多 {max} 個。";
    IssueTooManyHashtags => "Too many hashtags: {actual}, at most {max}.", "话题标签过多：{actual} 个，最多 {max} 个。", "主題標籤過多：{actual} 個，最多 {max} 個。";
    IssueUnsupportedMedia => "Attachment {index} is not supported here.", "此处不支持第 {index} 个附件。", "此處不支援第 {index} 個附件。";
    IssueMissingAlt => "Attachment {index} has no alt text.", "第 {index} 个附件没有替代文字。", "第 {index} 個附件沒有替代文字。";
    IssueInvalidLink => "The link must be one http(s) address.", "链接必须是一个 http(s) 地址。", "連結必須是一個 http(s) 位址。";

    // Post page
    PostTitle => "Post #{id}", "帖子 #{id}", "貼文 #{id}";
    PostBy => "by {name}", "作者：{name}", "作者：{name}";
    PostChannels => "Channels", "渠道", "渠道";
    PostDue => "Due", "计划时间", "預定時間";
    PostDelivery => "Delivery", "投递", "投遞";
    PostAttempts => "Attempts", "尝试次数", "嘗試次數";
    PostNoDue => "When approved", "批准后", "批准後";
    PostUnscheduled => "Not scheduled", "未排期", "未排程";
    PostApprovals => "Approvals: {have} of {need}", "审批：{have} / {need}", "審批：{have} / {need}";
    PostHistory => "History", "历史版本", "歷史版本";
    PostRevision => "Revision {n}", "第 {n} 版", "第 {n} 版";
    PostComments => "Comments", "评论", "留言";
    PostNoComments => "No comments yet.", "还没有评论。", "還沒有留言。";
    PostAddComment => "Add comment", "添加评论", "新增留言";
    PostCommentApproval => "approved", "批准了", "批准了";
    PostCommentChanges => "requested changes", "要求修改", "要求修改";
    PostAudit => "Audit trail", "审计记录", "稽核記錄";
    PostReviewComment => "Comment for the author", "给作者的意见", "給作者的意見";
    // Delivery states, in the words of the person who schedules posts.
    DeliveryPending => "Not scheduled yet", "尚未排期", "尚未排程";
    DeliveryScheduled => "Scheduled", "已排期", "已排程";
    DeliveryClaimed => "About to send", "即将发送", "即將發送";
    DeliverySending => "Sending now", "正在发送", "正在傳送";
    DeliveryPublished => "Published", "已发布", "已發佈";
    DeliveryRetryWait => "Will retry", "稍后重试", "稍後重試";
    DeliveryFailed => "Failed", "发布失败", "發佈失敗";
    DeliveryFailedAuth => "Reconnect the channel", "需重新连接渠道", "需重新連接渠道";
    DeliveryUnknown => "Checking whether it went out", "正在确认是否已发出", "正在確認是否已發出";
    DeliveryNeedsAttention => "Needs you: may or may not have posted", "需要你处理：可能已发出，也可能没有", "需要你處理：可能已發出，也可能沒有";
    DeliveryCancelled => "Cancelled", "已取消", "已取消";

    // Delivery timeline and resolving a delivery (post page)
    TimelineTitle => "Delivery timeline", "发布记录", "發佈記錄";
    TimelineNothing => "Nothing has been sent to this channel yet.", "尚未向此渠道发送任何内容。", "尚未向此渠道傳送任何內容。";
    TimelineAttempt => "Attempt {n}", "第 {n} 次尝试", "第 {n} 次嘗試";
    TimelineUnderWay => "Under way", "进行中", "進行中";
    TimelineViewPost => "See it on the platform", "在平台上查看", "在平台上查看";
    TimelineRemoteId => "Post ID on the platform: {id}", "平台上的帖子 ID：{id}", "平台上的貼文 ID：{id}";
    TimelineError => "What happened: {error}", "原因：{error}", "原因：{error}";
    ResolveDoubtIntro => "We could not confirm whether this was published. Check the account, then tell us what happened.", "我们无法确认这条内容是否已发布。请先查看该账号，再告诉我们实际情况。", "我們無法確認這則內容是否已發佈。請先查看該帳號，再告訴我們實際情況。";
    ResolveFailedIntro => "This channel did not publish the post. Publish it again, or cancel it for this channel.", "此渠道未能发布该帖子。你可以重新发布，或取消此渠道的发布。", "此渠道未能發佈該貼文。你可以重新發佈，或取消此渠道的發佈。";
    ResolveReconnectHint => "The channel's sign-in stopped working. Reconnect it first, or publishing will fail again.", "此渠道的授权已失效。请先重新连接，否则发布会再次失败。", "此渠道的授權已失效。請先重新連接，否則發佈會再次失敗。";
    ResolveOpenChannels => "Open Channels", "打开渠道页面", "開啟渠道頁面";
    ResolveUrl => "Address of the published post", "已发布帖子的网址", "已發佈貼文的網址";
    ResolvePublished => "It was published", "已经发布了", "已經發佈了";
    ResolveRetry => "Publish it now", "立即发布", "立即發佈";
    ResolveCancel => "Cancel this channel", "取消此渠道的发布", "取消此渠道的發佈";
    ResolveAskApprover => "An approver decides what happens next on this channel.", "由审批人决定此渠道的下一步。", "由審批人決定此渠道的下一步。";
    ConfirmResolveCancel => "Cancel this post on this channel? It will not be published there.", "确定取消此渠道的发布吗？帖子不会在该渠道发布。", "確定取消此渠道的發佈嗎？貼文不會在該渠道發佈。";
    ConfirmResolveRetry => "Publish it again? If it did go out, followers will see it twice.", "确定重新发布吗？如果之前已经发出，粉丝会看到两次。", "確定重新發佈嗎？如果之前已經發出，粉絲會看到兩次。";

    // Delivery health (calendar)
    HealthTitle => "Publishing health", "发布状况", "發佈狀況";
    HealthOverdueOne => "1 delivery is overdue: is a worker running?", "1 项发布已逾期：发布进程是否在运行？", "1 項發佈已逾期：發佈程序是否在執行？";
    HealthOverdue => "{n} deliveries are overdue: is a worker running?", "{n} 项发布已逾期：发布进程是否在运行？", "{n} 項發佈已逾期：發佈程序是否在執行？";
    HealthUnknownOne => "1 delivery has been in doubt for over 15 minutes", "1 项发布超过 15 分钟仍无法确认是否发出", "1 項發佈超過 15 分鐘仍無法確認是否發出";
    HealthUnknown => "{n} deliveries have been in doubt for over 15 minutes", "{n} 项发布超过 15 分钟仍无法确认是否发出", "{n} 項發佈超過 15 分鐘仍無法確認是否發出";
    HealthAttentionOne => "1 delivery needs a person", "1 项发布需要人工处理", "1 項發佈需要人工處理";
    HealthAttention => "{n} deliveries need a person", "{n} 项发布需要人工处理", "{n} 項發佈需要人工處理";
    HealthStuckOne => "1 delivery was interrupted: a worker stopped mid-delivery", "1 项发布中断：发布进程在发送途中停止了", "1 項發佈中斷：發佈程序在傳送途中停止了";
    HealthStuck => "{n} deliveries were interrupted: a worker stopped mid-delivery", "{n} 项发布中断：发布进程在发送途中停止了", "{n} 項發佈中斷：發佈程序在傳送途中停止了";
    HealthShowPosts => "Show these posts", "查看这些帖子", "查看這些貼文";

    // Lists, calendar
    ListTitle => "All posts", "全部帖子", "全部貼文";
    ListSearch => "Search posts", "搜索帖子", "搜尋貼文";
    ListEmpty => "No posts match.", "没有匹配的帖子。", "沒有符合的貼文。";
    FilterChannel => "Channel", "渠道", "渠道";
    FilterState => "State", "状态", "狀態";
    FilterCampaign => "Campaign", "活动", "活動";
    FilterAll => "All", "全部", "全部";
    CalendarMonth => "Month", "月", "月";
    CalendarWeek => "Week", "周", "週";
    CalendarList => "List", "列表", "列表";
    CalendarToday => "Today", "今天", "今天";
    CalendarPrev => "Previous", "上一页", "上一頁";
    CalendarNext => "Next", "下一页", "下一頁";
    CalendarZone => "Shown in", "显示时区", "顯示時區";
    CalendarDragHint => "Drag a post to another day to reschedule it.", "将帖子拖到其他日期即可重新排期。", "將貼文拖到其他日期即可重新排程。";
    CalendarRescheduled => "Rescheduled.", "已重新排期。", "已重新排程。";
    WeekdayMon => "Mon", "周一", "週一";
    WeekdayTue => "Tue", "周二", "週二";
    WeekdayWed => "Wed", "周三", "週三";
    WeekdayThu => "Thu", "周四", "週四";
    WeekdayFri => "Fri", "周五", "週五";
    WeekdaySat => "Sat", "周六", "週六";
    WeekdaySun => "Sun", "周日", "週日";

    // Approvals queue
    ApprovalsQueue => "Waiting for review", "等待审核", "等待審核";
    ApprovalsMine => "Your posts with requested changes", "你的需要修改的帖子", "你的需要修改的貼文";

    // Notifications
    NotificationsTitle => "Notifications", "通知", "通知";
    NotificationsEmpty => "No notifications.", "没有通知。", "沒有通知。";
    NotificationsMarkAll => "Mark all read", "全部标为已读", "全部標為已讀";
    NoteReviewNeeded => "{actor} asks for your review", "{actor} 请你审核", "{actor} 請你審核";
    NoteApproved => "{actor} approved your post", "{actor} 批准了你的帖子", "{actor} 批准了你的貼文";
    NoteChangesRequested => "{actor} requested changes", "{actor} 要求修改", "{actor} 要求修改";
    NoteComment => "{actor} commented", "{actor} 发表了评论", "{actor} 發表了留言";
    NotePublished => "Your post was published", "你的帖子已发布", "你的貼文已發佈";
    NoteFailed => "Your post failed to publish", "你的帖子发布失败", "你的貼文發佈失敗";
    NoteAttention => "A post needs attention", "有帖子需要处理", "有貼文需要處理";

    // Channels page
    ChannelAdd => "Add channel", "添加渠道", "新增渠道";
    ChannelAddIntro => "Add a channel, then connect it to its account: WeChat with the Official Account's AppID and AppSecret, Facebook and X by signing in there.", "先添加渠道，再连接账号：微信公众号填写 AppID 和 AppSecret，Facebook 和 X 在其网站登录授权。", "先新增渠道，再連接帳號：微信公眾號填寫 AppID 和 AppSecret，Facebook 和 X 在其網站登入授權。";
    ChannelPlatform => "Platform", "平台", "平台";
    ChannelName => "Name", "名称", "名稱";
    ChannelZone => "Audience time zone", "受众时区", "受眾時區";
    ChannelSlots => "Posting slots", "发布时段", "發佈時段";
    ChannelSlotsHint => "For example: Mon-Fri 09:00, 18:00; Sat 10:00", "例如：Mon-Fri 09:00, 18:00; Sat 10:00", "例如：Mon-Fri 09:00, 18:00; Sat 10:00";
    ChannelEmulated => "Emulated", "模拟", "模擬";
    ChannelRecent => "Recent deliveries", "最近发布", "最近發佈";
    ChannelRecentEmpty => "Nothing has been sent to this channel yet.", "此渠道还没有发布记录。", "此渠道還沒有發佈記錄。";

    // Workflow policy
    PolicyTitle => "Approval policy", "审批策略", "審批策略";
    PolicyApprovals => "Approvals needed (0 = editors publish directly)", "所需审批数（0 表示编辑可直接发布）", "所需審批數（0 表示編輯可直接發佈）";
    PolicyAuthorMayApprove => "Authors may approve their own posts", "作者可以批准自己的帖子", "作者可以批准自己的貼文";
    PolicyRescheduleNeedsApproval => "Rescheduling an approved post needs approval again", "重新排期已批准的帖子需要重新审批", "重新排程已批准的貼文需要重新審批";
    AuditTitle => "Audit log", "审计日志", "稽核日誌";
    AuditEmpty => "Nothing recorded yet.", "还没有记录。", "還沒有記錄。";
    // Channels, approvals, notifications, policy (additions)
    ChannelAdded => "Channel added.", "渠道已添加。", "渠道已新增。";
    ChannelNoSlots => "No posting slots", "未设置发布时段", "未設定發佈時段";
    ChannelEmulatedHint => "Publishes to the built-in platform emulator", "发布到内置的平台模拟器", "發佈到內建的平台模擬器";
    ChannelEdit => "Edit {name}", "编辑 {name}", "編輯 {name}";
    ChannelAccount => "Account", "账号", "帳號";
    ChannelConnected => "Connected", "已连接", "已連接";
    ChannelNotConnected => "Not connected", "未连接", "未連接";
    ChannelReconnectNeeded => "Reconnect needed", "需要重新连接", "需要重新連接";
    ChannelConnect => "Connect", "连接", "連接";
    ChannelReconnect => "Reconnect", "重新连接", "重新連接";
    ChannelCheck => "Check now", "立即检查", "立即檢查";
    ChannelEgress => "Network", "网络", "網路";
    ChannelLastSuccess => "Last worked {when}", "最近成功 {when}", "最近成功 {when}";
    ChannelLastError => "Last error {when}: {error}", "最近错误 {when}：{error}", "最近錯誤 {when}：{error}";
    ChannelTokenExpires => "Token renews automatically; current one valid until {when}", "令牌自动续期，当前令牌有效期至 {when}", "權杖自動續期，目前權杖有效期至 {when}";
    ChannelConnectedBanner => "The channel is connected.", "渠道已连接。", "渠道已連接。";
    ChannelUseEmulator => "Use the built-in platform emulator (no account needed)", "使用内置平台模拟器（无需账号）", "使用內建平台模擬器（無需帳號）";
    BlueskyHandle => "Handle or DID", "用户名或 DID", "使用者名稱或 DID";
    BlueskyAppPassword => "App password", "应用密码", "應用程式密碼";
    BlueskyConnectHint => "Create an app password for Tongbu in Bluesky under Settings → Privacy and security → App passwords, and enter it with the account's handle. Accounts on another PDS work too: Tongbu finds the account's server from its handle.", "在 Bluesky「设置 → 隐私与安全 → 应用密码」中为同步创建一个应用密码，并与账号用户名一起填写。其他 PDS 上的账号同样可用：同步会根据用户名找到账号所在的服务器。", "在 Bluesky「設定 → 隱私與安全 → 應用程式密碼」中為同步建立一組應用程式密碼，並與帳號使用者名稱一起填寫。其他 PDS 上的帳號同樣可用：同步會依使用者名稱找到帳號所在的伺服器。";
    MastodonInstance => "Server", "服务器", "伺服器";
    MastodonVisibility => "Visibility", "可见范围", "可見範圍";
    MastodonPublic => "Public", "公开", "公開";
    MastodonUnlisted => "Unlisted (quiet public)", "不公开列出（安静公开）", "不公開列出（安靜公開）";
    MastodonPrivate => "Followers only", "仅关注者", "僅追蹤者";
    MastodonSpoiler => "Content warning (optional)", "内容警告（可选）", "內容警告（選填）";
    MastodonConnectHint => "Tongbu registers itself as an app on the account's server and sends you there to allow it. Visibility and the content warning apply to every post this channel sends.", "同步会在账号所在的服务器上注册为应用，并带你前往授权。可见范围和内容警告适用于此渠道发送的每条帖子。", "同步會在帳號所在的伺服器上註冊為應用程式，並帶你前往授權。可見範圍和內容警告適用於此渠道發送的每則貼文。";
    WechatAppId => "AppID", "AppID", "AppID";
    WechatAppSecret => "AppSecret", "AppSecret", "AppSecret";
    WechatConnectHint => "Find both under Settings and Development → Basic Configuration in the Official Account platform. WeChat only answers servers whose public IP address is on the account's IP whitelist there: add this server's outgoing IP first.", "两者都在公众号平台「设置与开发 → 基本配置」中。微信只响应公网 IP 在该账号 IP 白名单中的服务器：请先添加本服务器的出口 IP。", "兩者都在公眾號平台「設定與開發 → 基本配置」中。微信只回應公網 IP 在該帳號 IP 白名單中的伺服器：請先新增本伺服器的出口 IP。";
    EgressApiBase => "API address (empty: the platform's own)", "API 地址（留空则使用平台自身地址）", "API 位址（留空則使用平台自身位址）";
    EgressAuthBase => "Sign-in address (empty: same as the API)", "登录地址（留空则与 API 相同）", "登入位址（留空則與 API 相同）";
    EgressProxy => "Proxy (http://, https:// or socks5://; empty: direct)", "代理（http://、https:// 或 socks5://；留空则直连）", "代理（http://、https:// 或 socks5://；留空則直連）";
    EgressHint => "A server inside mainland China reaches Facebook and X through a proxy, while WeChat goes direct.", "位于中国大陆的服务器可通过代理访问 Facebook 和 X，微信则直连。", "位於中國大陸的伺服器可透過代理存取 Facebook 和 X，微信則直連。";
    NotificationsUnread => "{n} unread", "{n} 条未读", "{n} 則未讀";
    NotificationsSomeone => "Someone", "有人", "有人";
    PolicyIntro => "Decide who must sign off before a post is scheduled.", "设置帖子排期前需要谁来审批。", "設定貼文排程前需要誰來審批。";
    AuditAt => "When", "时间", "時間";
    AuditActor => "Who", "操作人", "操作人";
    AuditAction => "Action", "操作", "操作";
    AuditSubject => "Subject", "对象", "對象";
    AuditSystem => "System", "系统", "系統";
    ErrInvitationOtherAccount => "This invitation was sent to a different email address than the account you are signed in with.", "此邀请发送给的邮箱与你当前登录的账号不同。", "此邀請傳送給的電子郵件與你目前登入的帳號不同。";

    // Reach report (reports page)
    ReportIntro => "Figures as each platform reports them, for posts published in the range. A figure a platform does not provide shows as —, never as 0.", "各平台报告的数据，涵盖在所选范围内发布的帖子。平台不提供的数据显示为 —，而不是 0。", "各平台回報的數據，涵蓋在所選範圍內發佈的貼文。平台不提供的數據顯示為 —，而不是 0。";
    ReportFrom => "From", "开始日期", "開始日期";
    ReportTo => "To", "结束日期", "結束日期";
    ReportLast7 => "Last 7 days", "最近 7 天", "最近 7 天";
    ReportLast30 => "Last 30 days", "最近 30 天", "最近 30 天";
    ReportLast90 => "Last 90 days", "最近 90 天", "最近 90 天";
    ReportRangeLabel => "Date range", "日期范围", "日期範圍";
    ReportGroupBy => "Group by", "分组方式", "分組方式";
    ReportGroupPlatform => "Platform", "平台", "平台";
    ReportGroupChannel => "Channel", "渠道", "渠道";
    ReportGroupPost => "Post", "帖子", "貼文";
    ReportGroupCampaign => "Campaign", "活动", "活動";
    ReportZone => "Time zone", "时区", "時區";
    ReportRangeInfo => "Posts published {from} to {to}, days in {zone}.", "{from} 至 {to} 发布的帖子，日期按 {zone} 计算。", "{from} 至 {to} 發佈的貼文，日期按 {zone} 計算。";
    ReportGeneratedAt => "Generated {when}", "生成于 {when}", "產生於 {when}";
    MetricViews => "Views", "浏览量", "瀏覽次數";
    MetricReach => "Reach", "触达人数", "觸及人數";
    MetricReactions => "Reactions", "点赞", "按讚";
    MetricComments => "Comments", "评论", "留言";
    MetricShares => "Shares", "分享", "分享";
    MetricLinkClicks => "Link clicks", "链接点击", "連結點擊";
    MetricSaves => "Saves", "收藏", "收藏";
    ReportPosts => "Posts", "帖子数", "貼文數";
    ReportDeliveries => "Deliveries", "投递数", "投遞數";
    ReportCardViewsHint => "Impressions, not people: one person may see a post many times.", "曝光次数，不是人数：同一个人可能多次看到同一条帖子。", "曝光次數，不是人數：同一個人可能多次看到同一則貼文。";
    ReportCardReachHint => "Summed across platforms: at most this many people; one person on two platforms counts twice.", "各平台相加：最多这么多人；同一个人在两个平台上会被计算两次。", "各平台相加：最多這麼多人；同一個人在兩個平台上會被計算兩次。";
    ReportCardEngagement => "Engagement", "互动", "互動";
    ReportCardEngagementHint => "Reactions, comments and shares added up.", "点赞、评论和分享之和。", "按讚、留言和分享之和。";
    ReportCardClicksHint => "Clicks on the posts' links, where the platform counts them.", "帖子链接的点击次数（仅限提供此数据的平台）。", "貼文連結的點擊次數（僅限提供此數據的平台）。";
    ReportReportedBy => "Reported by {n} of {m} deliveries", "{m} 次投递中有 {n} 次提供了此数据", "{m} 次投遞中有 {n} 次提供了此數據";
    ReportNotProvided => "Not provided by the platform", "平台未提供", "平台未提供";
    ReportChartsTitle => "Trends", "趋势", "趨勢";
    ReportMetric => "Figure", "指标", "指標";
    ReportGrowthTitle => "Growth by day, cumulative", "按日增长（累计）", "按日成長（累計）";
    ReportGrowthLabel => "{metric} gained per platform, cumulative by day, {from} to {to}", "各平台 {metric} 按日累计增长，{from} 至 {to}", "各平台 {metric} 按日累計成長，{from} 至 {to}";
    ReportGrowthEmpty => "No figures for this yet", "暂无此项数据", "暫無此項數據";
    ReportByPlatformTitle => "By platform", "按平台", "按平台";
    ReportByPlatformLabel => "{metric} per platform, {from} to {to}", "各平台 {metric}，{from} 至 {to}", "各平台 {metric}，{from} 至 {to}";
    ReportChartNoValue => "no figure", "无数据", "無數據";
    ReportTableTitle => "Breakdown", "明细", "明細";
    ReportExportCsv => "Export CSV", "导出 CSV", "匯出 CSV";
    ReportExportHint => "The file holds exactly the rows of this table.", "导出的文件与此表格的行完全一致。", "匯出的檔案與此表格的列完全一致。";
    ReportTotal => "Total", "合计", "合計";
    ReportNoCampaign => "No campaign", "无活动", "無活動";
    ReportTopPosts => "Top posts by views", "浏览量最高的帖子", "瀏覽次數最高的貼文";
    ReportBestHours => "Publishing hours", "发布时段", "發佈時段";
    ReportBestHoursHint => "Hours ({zone}) each channel published in; the darker, the more engagement per post. The best hour is marked once at least two posts back it.", "各渠道发布帖子的时段（{zone}）；颜色越深，每篇帖子的互动越多。至少有两篇帖子时才会标出最佳时段。", "各渠道發佈貼文的時段（{zone}）；顏色越深，每篇貼文的互動越多。至少有兩篇貼文時才會標出最佳時段。";
    ReportBestHour => "Best hour: {hour}", "最佳时段：{hour}", "最佳時段：{hour}";
    ReportNoBestHour => "Not enough posts yet to name a best hour.", "帖子还不够多，无法判断最佳时段。", "貼文還不夠多，無法判斷最佳時段。";
    ReportHourCell => "{hour}: {posts} posts, average engagement {avg}", "{hour}：{posts} 篇帖子，平均互动 {avg}", "{hour}：{posts} 篇貼文，平均互動 {avg}";
    ReportNotes => "What the figures mean", "数据说明", "數據說明";
    ReportNoteUnknown => "No definition is known for this name.", "暂无此名称的说明。", "暫無此名稱的說明。";

    // Reach panel (post page)
    PostReachTitle => "Reach", "触达", "觸及";
    PostReachCollected => "Collected {when}", "采集于 {when}", "採集於 {when}";
    PostReachNotYet => "Not collected yet", "尚未采集", "尚未採集";
    PostReachNext => "Next collection {when}", "下次采集 {when}", "下次採集 {when}";
    PostReachFinished => "Collection finished", "采集已结束", "採集已結束";
    PostReachError => "Last collection failed: {error}", "上次采集失败：{error}", "上次採集失敗：{error}";
    PostReachChart => "{metric} per channel over time", "各渠道 {metric} 随时间变化", "各渠道 {metric} 隨時間變化";
}
